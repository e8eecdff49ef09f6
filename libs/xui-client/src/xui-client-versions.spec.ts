import { PanelSimulator, PanelSimulatorOptions } from '@fleet/panel-sim';
import { PanelError } from './errors';
import { ApiGeneration } from './types';
import { XuiClient } from './xui-client';
import { panelFailure } from './panel-error.testing';

const API_TOKEN = 'panel-admin-token';

const vless = (email: string) => ({ id: crypto.randomUUID(), email, enable: true, flow: '', subId: email });

async function failure(promise: Promise<unknown>): Promise<PanelError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PanelError);
  return error as PanelError;
}

interface Mode {
  name: string;
  version: string;
  bearer: boolean;
  generation: ApiGeneration;
}

const MODES: Mode[] = [
  { name: 'v3.0.2 cookie + CSRF', version: '3.0.2', bearer: false, generation: 'classic' },
  { name: 'v3.0.2 Bearer token', version: '3.0.2', bearer: true, generation: 'classic' },
  { name: 'v3.1 cookie + CSRF', version: '3.1.0', bearer: false, generation: 'clients' },
  { name: 'v3.1 Bearer token', version: '3.1.0', bearer: true, generation: 'clients' },
];

/** The same operations through one interface, whatever the panel speaks (spec §1, §3.4, §3.5, §10). */
describe.each(MODES)('XuiClient against a $name panel', ({ version, bearer, generation }) => {
  let panel: PanelSimulator;
  let client: XuiClient;
  const emails = () => panel.state.allEmails();

  beforeEach(async () => {
    const options: PanelSimulatorOptions = { version, apiTokens: [{ token: API_TOKEN, scope: 'admin' }] };
    panel = await new PanelSimulator(options).start();
    client = new XuiClient({
      baseUrl: panel.url,
      username: panel.username,
      password: panel.password,
      apiToken: bearer ? API_TOKEN : null,
      timeoutMs: 1000,
    });
  });
  afterEach(async () => {
    client.close();
    await panel.stop();
  });

  it('detects the API generation and authenticates the right way', async () => {
    await client.listInbounds();
    expect(client.generation).toBe(generation);
    expect(panel.calls.get('login') ?? 0).toBe(bearer ? 0 : 1);
    expect(panel.calls.get('csrf-token') ?? 0).toBe(bearer ? 0 : 1);
  });

  it('adds a batch, updates, reads traffic, deletes by key and by email', async () => {
    const [alice, bob, carol] = [vless('alice'), vless('bob'), vless('carol')];
    await client.addClients(1, [alice, bob, carol]);
    expect(emails()).toEqual(expect.arrayContaining(['alice', 'bob', 'carol']));

    await client.updateClient(1, bob.id, { ...bob, email: 'bobby', limitIp: 3 }, 'bob');
    expect((await client.clientTraffic('bobby')).email).toBe('bobby');

    await client.deleteClient(1, bob.id);
    await client.deleteClientByEmail(1, 'carol');
    expect(emails()).toContain('alice');
    expect(emails()).not.toEqual(expect.arrayContaining(['bobby']));
    expect(emails()).not.toEqual(expect.arrayContaining(['carol']));
    expect((await panelFailure(client.clientTraffic('carol'))).kind).toBe('not-found');
    expect(await client.onlineEmails()).toEqual([]);
    expect((await client.serverStatus()).panelVersion).toBe(version);
  });

  it('keeps a batch all-or-nothing: a duplicate email leaves nothing behind', async () => {
    await client.addClients(1, [vless('Dave')]);
    const before = panel.state.clientCount();
    const error = await panelFailure(client.addClients(1, [vless('erin'), vless('frank'), vless('dave')]));
    expect(error.kind).toBe('duplicate-email');
    expect(panel.state.clientCount()).toBe(before);
    expect(emails()).not.toContain('erin');
  });

  it('reports an unknown client as not-found on delete', async () => {
    expect((await panelFailure(client.deleteClientByEmail(1, 'nobody'))).kind).toBe('not-found');
  });

  it('survives expired sessions', async () => {
    await client.listInbounds();
    await panel.setFault({ kind: 'expire-sessions' });
    await client.addClients(1, [vless('after-expiry')]);
    expect(emails()).toContain('after-expiry');
    expect(panel.calls.get('login') ?? 0).toBe(bearer ? 0 : 2);
  });
});

describe('XuiClient version edge cases', () => {
  it('a wrong API token is auth-failed, never retried as a login', async () => {
    const panel = await new PanelSimulator({
      version: '3.1.0',
      apiTokens: [{ token: API_TOKEN, scope: 'admin' }],
    }).start();
    const client = new XuiClient({ baseUrl: panel.url, username: 'x', password: 'y', apiToken: 'wrong' });
    try {
      expect((await panelFailure(client.listInbounds())).kind).toBe('auth-failed');
      expect(panel.calls.get('login')).toBeUndefined();
    } finally {
      client.close();
      await panel.stop();
    }
  });

  it('a monitor-scoped token may read status but writes are auth-failed', async () => {
    const panel = await new PanelSimulator({
      version: '3.0.2',
      apiTokens: [{ token: 'mon', scope: 'monitor' }],
    }).start();
    const client = new XuiClient({ baseUrl: panel.url, username: 'x', password: 'y', apiToken: 'mon' });
    try {
      expect((await client.serverStatus()).xray.state).toBe('running');
      expect((await panelFailure(client.addClients(1, [vless('m')]))).kind).toBe('auth-failed');
    } finally {
      client.close();
      await panel.stop();
    }
  });

  it('before v2.8 (no delClientByEmail) deletes by email through a lookup', async () => {
    const panel = await new PanelSimulator({ version: '2.7.3' }).start();
    const client = new XuiClient({ baseUrl: panel.url, username: panel.username, password: panel.password });
    try {
      await client.addClients(2, [vless('old-1'), vless('old-2')]);
      await client.deleteClientByEmail(2, 'old-1');
      await client.deleteClientByEmail(2, 'old-2');
      expect(panel.state.allEmails()).not.toEqual(expect.arrayContaining(['old-1']));
      expect(panel.state.allEmails()).not.toEqual(expect.arrayContaining(['old-2']));
      expect(panel.calls.get('delClient')).toBe(2);
    } finally {
      client.close();
      await panel.stop();
    }
  });
});
