import { PanelClient } from '@fleet/xui-client';
import { diffNode, DesiredClient, sampleOf } from './reconcile-diff';

const client = (email: string, fields: Partial<PanelClient> = {}): PanelClient => ({
  email,
  id: `uuid-${email}`,
  enable: true,
  expiryTime: 0,
  totalGB: 0,
  limitIp: 0,
  subId: `sub-${email}`,
  ...fields,
});
const want = (userId: number, fields: Partial<PanelClient> = {}): DesiredClient => ({
  userId,
  client: client(`u${userId}-n1`, fields),
});
const ours = (email: string) => /^u\d+-n\d+$/.test(email);
const diff = (desired: DesiredClient[], actual: PanelClient[], extra: Partial<Parameters<typeof diffNode>[0]> = {}) =>
  diffNode({ protocol: 'vless', desired, actual, pending: new Set(), tombstoned: new Set(), ours, ...extra });

describe('sampleOf', () => {
  it('shows the inbound’s differences first, then clients by kind, twenty at most', () => {
    const drift = diff(
      [want(1), want(2, { enable: false })],
      [client('u2-n1'), ...Array.from({ length: 30 }, (_, i) => client(`u${100 + i}-n1`))],
    );
    drift.inbound = [{ kind: 'inbound', email: '', field: 'port', panel: 2, desired: 1 }];
    const sample = sampleOf(drift);
    expect(sample.slice(0, 4)).toEqual([
      { kind: 'inbound', email: '', field: 'port', panel: 2, desired: 1 },
      { kind: 'missing', email: 'u1-n1' },
      { kind: 'changed', email: 'u2-n1', field: 'enable', panel: true, desired: false },
      { kind: 'extra', email: 'u100-n1' },
    ]);
    expect(sample).toHaveLength(20);
  });
});

describe('diffNode', () => {
  it('agrees with itself: no drift when the panel has exactly what is wanted', () => {
    const desired = [want(1), want(2, { enable: false, expiryTime: 1_800_000_000_000, totalGB: 5e9, limitIp: 2 })];
    expect(
      diff(
        desired,
        desired.map((d) => d.client),
      ),
    ).toEqual({
      missing: [],
      changed: [],
      extra: [],
      foreign: 0,
      inbound: [],
    });
  });

  it('finds missing clients, and changed owned fields without showing the key', () => {
    const drift = diff(
      [want(1), want(2, { totalGB: 5e9 }), want(3)],
      [client('u2-n1', { id: 'someone-else', totalGB: 1e9, enable: false, comment: 'operator note' }), client('u3-n1')],
    );
    expect(drift.missing.map((d) => d.userId)).toEqual([1]);
    expect(drift.changed).toMatchObject([{ userId: 2, email: 'u2-n1', fields: ['key', 'enable', 'totalGB'] }]);
    expect(sampleOf(drift)).toEqual([
      { kind: 'missing', email: 'u1-n1' },
      { kind: 'changed', email: 'u2-n1', field: 'key' },
      { kind: 'changed', email: 'u2-n1', field: 'enable', panel: false, desired: true },
      { kind: 'changed', email: 'u2-n1', field: 'totalGB', panel: 1e9, desired: 5e9 },
    ]);
    expect(JSON.stringify(drift)).not.toContain('someone-else');
  });

  it('tolerates what moves by itself: a held plan started by the panel, totalGB within a megabyte', () => {
    const desired = [want(1, { expiryTime: -30 * 86_400_000 }), want(2, { totalGB: 5e9 })];
    const actual = [client('u1-n1', { expiryTime: 1_800_000_000_000 }), client('u2-n1', { totalGB: 5e9 + 999_999 })];
    expect(diff(desired, actual).changed).toEqual([]);
    // …but an unlimited client where a limit is wanted is drift, however small the limit.
    expect(diff([want(3, { totalGB: 10 })], [client('u3-n1')]).changed[0].fields).toEqual(['totalGB']);
  });

  it('tells extra clients (tombstoned, or ours with no user) from foreign ones, and leaves clients being placed alone', () => {
    const drift = diff(
      [want(1)],
      [client('u1-n1'), client('u9-n1'), client('old-adopted'), client('alice'), client('u5-n1')],
      { tombstoned: new Set(['old-adopted']), pending: new Set(['u5-n1']) },
    );
    expect(drift.extra).toEqual([
      { email: 'u9-n1', tombstoned: false },
      { email: 'old-adopted', tombstoned: true },
    ]);
    expect(drift.foreign).toBe(1);
  });

  it('compares emails as the panel does (case-insensitively) and the shadowsocks password as the key', () => {
    const desired = [{ userId: 1, client: { ...client('u1-n1'), id: undefined, password: 'new-key', method: '' } }];
    const drift = diffNode({
      protocol: 'shadowsocks',
      desired,
      actual: [{ ...client('U1-N1', { subId: 'sub-u1-n1' }), id: undefined, password: 'old-key' }],
      pending: new Set(),
      tombstoned: new Set(),
      ours,
    });
    expect(drift.missing).toEqual([]);
    expect(drift.changed[0].fields).toEqual(['key']);
  });
});
