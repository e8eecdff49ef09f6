import { Access, accessStatus, OPEN_ACCESS, panelAccess } from './access-status';

const now = new Date('2026-12-01T12:00:00Z');
const access = (fields: Partial<Access>): Access => ({ ...OPEN_ACCESS, ...fields });
const past = new Date('2026-11-30T00:00:00Z');
const future = new Date('2027-01-01T00:00:00Z');

describe('access status (pure)', () => {
  it.each<[string, Partial<Access>, string]>([
    ['a new user', {}, 'active'],
    ['disabled', { enabled: false }, 'disabled'],
    [
      'disabled wins over expired and limited',
      { enabled: false, expiresAt: past, trafficLimitBytes: 1, usedBytes: 5 },
      'disabled',
    ],
    ['expired', { expiresAt: past }, 'expired'],
    ['expiring exactly now', { expiresAt: now }, 'expired'],
    ['not yet expired', { expiresAt: future }, 'active'],
    ['expired wins over limited', { expiresAt: past, trafficLimitBytes: 10, usedBytes: 10 }, 'expired'],
    ['limit reached', { trafficLimitBytes: 10, usedBytes: 10 }, 'limited'],
    ['limit not reached', { trafficLimitBytes: 10, usedBytes: 9 }, 'active'],
    ['no limit (0)', { trafficLimitBytes: 0, usedBytes: 1e15 }, 'active'],
    ['on hold: no traffic yet', { holdDays: 30 }, 'on_hold'],
    ['hold started: expiry set', { holdDays: 30, expiresAt: future }, 'active'],
    ['limited wins over on hold', { holdDays: 30, trafficLimitBytes: 1, usedBytes: 1 }, 'limited'],
  ])('%s', (_label, fields, status) => {
    expect(accessStatus(access(fields), now)).toBe(status);
  });

  it.each<[string, Partial<Access>, ReturnType<typeof panelAccess>]>([
    ['open', {}, { enable: true, expiryTime: 0, limitIp: 0, totalGB: 0 }],
    [
      'a plan',
      { expiresAt: future, trafficLimitBytes: 100e9, deviceLimit: 2 },
      { enable: true, expiryTime: future.getTime(), limitIp: 2, totalGB: 100e9 },
    ],
    ['on hold for 30 days', { holdDays: 30 }, { enable: true, expiryTime: -30 * 86_400_000, limitIp: 0, totalGB: 0 }],
    [
      'expired: disabled, expiry kept',
      { expiresAt: past },
      { enable: false, expiryTime: past.getTime(), limitIp: 0, totalGB: 0 },
    ],
    ['disabled', { enabled: false, deviceLimit: 3 }, { enable: false, expiryTime: 0, limitIp: 3, totalGB: 0 }],
  ])('panel client fields: %s', (_label, fields, expected) => {
    expect(panelAccess(access(fields), now)).toEqual(expected);
  });
});
