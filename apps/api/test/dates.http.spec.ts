import { placeUsers, startFleet } from './support/fleet';
import { startTestApp, TestApp } from './support/test-app';

type Fleet = Awaited<ReturnType<typeof startFleet>>;

/** Text that ISO 8601 (and a lenient validator) accepts or that looks like a date, but that no route may take. */
const NOT_DATE_TIMES = [
  '2026-W01', // week date
  '2026-100', // ordinal date
  '20260101T000000Z', // basic format
  '2026-01-01T00:00:00', // no offset
  '2026-02-30T00:00:00Z',
  '2026-01-01T24:00:00Z',
  '-9999-01-01',
  '-9999-01-01T00:00:00Z',
  '+010000-01-01T00:00:00Z',
  '10000-01-01T00:00:00Z',
  '1999-12-31T23:59:59Z',
  'yesterday',
];

/**
 * One rule for every date a client sends (RFC 3339 date-time; a plain date where the route says so; years 2000–9999),
 * on every route that takes one: anything else is 400 naming the field, never 500, never stored.
 */
describe('dates in requests (real HTTP, PostgreSQL, a simulated panel)', () => {
  let t: TestApp;
  let fleet: Fleet;
  let bot: { Authorization: string };
  let viewer: { Authorization: string };
  let userId: number;
  let nodeId: number;

  beforeAll(async () => {
    t = await startTestApp();
    fleet = await startFleet(t, [{ node: { maxUsers: 10 } }]);
    bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
    viewer = { Authorization: `Bearer ${await t.tokenFor('viewer')}` };
    [{ userId }] = await placeUsers(t, bot, 501, 1);
    nodeId = fleet.nodeIds[0];
  });
  afterAll(async () => {
    await t.close();
    await fleet.stop();
  });

  const stored = async () =>
    (await t.dataSource.query(`SELECT expires_at FROM vpn_users WHERE id = $1`, [userId]))[0].expires_at as Date | null;

  it('every query date refuses what is not an RFC 3339 date-time with 400 naming the field', async () => {
    const routes: Array<[string, string, { Authorization: string }]> = [
      ['/api/v1/keys/501/usage', 'from', bot],
      ['/api/v1/keys/501/usage', 'to', bot],
      [`/api/v1/users/${userId}/usage`, 'from', fleet.auth],
      [`/api/v1/nodes/${nodeId}/usage`, 'to', fleet.auth],
      [`/api/v1/nodes/${nodeId}/health`, 'since', viewer],
      ['/api/v1/health/recent', 'since', viewer],
    ];
    const problems: string[] = [];
    for (const [path, field, auth] of routes) {
      for (const value of NOT_DATE_TIMES) {
        const response = await t
          .http()
          .get(`${path}?${field}=${encodeURIComponent(value)}`)
          .set(auth);
        if (response.status !== 400 || !JSON.stringify(response.body.message).includes(field)) {
          problems.push(`${path}?${field}=${value}: ${response.status} ${JSON.stringify(response.body.message)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('takes date-times with an offset, and plain dates where the route documents them (usage)', async () => {
    const since = encodeURIComponent(new Date(Date.now() - 60_000).toISOString().replace('Z', '+00:00'));
    await t.http().get(`/api/v1/nodes/${nodeId}/health?since=${since}`).set(viewer).expect(200);
    await t.http().get(`/api/v1/health/recent?since=${since}`).set(viewer).expect(200);
    const usage = await t.http().get('/api/v1/keys/501/usage?from=2026-03-01&to=2026-03-03&granularity=day').set(bot);
    expect(usage.status).toBe(200);
    await t
      .http()
      .get(`/api/v1/users/${userId}/usage?from=2026-03-01T00:00:00%2B03:00&to=2026-03-01T06:00:00Z`)
      .set(fleet.auth)
      .expect(200);
    // A plain date is not an instant: routes that need one refuse it.
    const plain = await t.http().get(`/api/v1/nodes/${nodeId}/health?since=2026-03-01`).set(viewer).expect(400);
    expect(plain.body.message).toEqual([expect.stringContaining('since must be an RFC 3339 date-time')]);
  });

  it('expiresAt: the same rule on both PATCH …/access routes, and nothing stored on a refusal', async () => {
    await t.http().patch('/api/v1/keys/501/access').set(bot).send({ expiresAt: '2030-01-01T00:00:00Z' }).expect(200);
    const before = await stored();
    const problems: string[] = [];
    for (const [path, auth] of [
      ['/api/v1/keys/501/access', bot],
      [`/api/v1/users/${userId}/access`, fleet.auth],
    ] as const) {
      for (const expiresAt of [...NOT_DATE_TIMES, '2027-01-01', 20270101, true]) {
        const response = await t.http().patch(path).set(auth).send({ expiresAt });
        if (response.status !== 400 || !JSON.stringify(response.body.message).includes('expiresAt')) {
          problems.push(`${path} ${JSON.stringify(expiresAt)}: ${response.status}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(await stored()).toEqual(before);

    const set = await t
      .http()
      .patch(`/api/v1/users/${userId}/access`)
      .set(fleet.auth)
      .send({ expiresAt: '2031-06-01T12:00:00+02:00' })
      .expect(200);
    expect(set.body.access.expiresAt).toBe('2031-06-01T10:00:00.000Z');
    await t.http().patch('/api/v1/keys/501/access').set(bot).send({ expiresAt: null }).expect(200);
    expect(await stored()).toBeNull();
  });

  it('extend stops at 9999-12-31: past it is 400 and nothing changes', async () => {
    await t.http().patch('/api/v1/keys/501/access').set(bot).send({ expiresAt: '9999-06-01T00:00:00Z' }).expect(200);
    const before = await stored();
    const refused = await t.http().post('/api/v1/keys/501/extend').set(bot).send({ days: 365 }).expect(400);
    expect(refused.body.message).toEqual([expect.stringContaining('past 9999-12-31')]);
    await t.http().post(`/api/v1/users/${userId}/extend`).set(fleet.auth).send({ days: 3650 }).expect(400);
    expect(await stored()).toEqual(before);
    const within = await t.http().post('/api/v1/keys/501/extend').set(bot).send({ days: 30 }).expect(200);
    expect(within.body.access.expiresAt).toBe('9999-07-01T00:00:00.000Z');
  });

  it('asks for credentials before it reads a date', async () => {
    await t.http().get('/api/v1/health/recent?since=2026-W01').expect(401);
    await t
      .http()
      .get(`/api/v1/nodes/${nodeId}/health?since=2026-W01`)
      .set({ Authorization: 'Bearer nope' })
      .expect(401);
    await t.http().get('/api/v1/keys/501/usage?from=2026-100').set(viewer).expect(403);
    await t.http().patch('/api/v1/keys/501/access').send({ expiresAt: '-9999-01-01' }).expect(401);
    await t.http().patch(`/api/v1/users/${userId}/access`).set(bot).send({ expiresAt: '-9999-01-01' }).expect(403);
    await t.http().post('/api/v1/keys/501/extend').set(viewer).send({ days: 1 }).expect(403);
  });
});
