import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { AccessPassService } from '../src/modules/access/access-pass.service';
import { HousekeepingService } from '../src/modules/housekeeping/housekeeping.service';
import { checkHealth, clientOn, eventually, placeUsers, startFleet } from './support/fleet';
import { startTestApp, TestApp } from './support/test-app';

type Fleet = Awaited<ReturnType<typeof startFleet>>;
const DAY = 86_400_000;
const SECRET_KEY = randomBytes(32);

describe('user access: plans stored, enforced on the panel client (real HTTP, PostgreSQL, simulated panels)', () => {
  let t: TestApp;
  let fleet: Fleet;
  let bot: { Authorization: string };
  const panelOf = (nodeId: number) => fleet.panels[fleet.nodeIds.indexOf(nodeId)];
  const patch = (telegramId: number, body: object) =>
    t.http().patch(`/api/v1/keys/${telegramId}/access`).set(bot).send(body);

  beforeEach(async () => {
    t = await startTestApp({
      env: { SUB_PROFILE_TITLE: 'Fleet VPN', SUB_SUPPORT_URL: 'https://t.me/support' },
      secretKey: SECRET_KEY,
    });
    fleet = await startFleet(t, [{ node: { maxUsers: 50 } }, { node: { maxUsers: 50 } }]);
    bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
  });
  afterEach(async () => {
    await t.close();
    await fleet.stop();
  });

  it('a PUT with a plan creates the user with it, its first panel client carrying it; an existing user keeps theirs', async () => {
    const expiresAt = new Date(Date.now() + 30 * DAY).toISOString();
    const plan = { expiresAt, trafficLimitBytes: 50e9, trafficReset: 'month', deviceLimit: 2, note: 'paid' };
    const created = await t.http().put('/api/v1/keys/151').set(bot).send({ plan }).expect(201);
    expect(created.body.planApplied).toBe(true);
    expect(created.body.access).toMatchObject({
      status: 'active',
      expiresAt,
      trafficLimitBytes: 50e9,
      trafficReset: 'month',
      deviceLimit: 2,
      note: 'paid',
      periodStart: expect.any(String),
      nextResetAt: expect.any(String),
    });
    const email = `u${created.body.userId}-n${created.body.node.id}`;
    expect(clientOn(panelOf(created.body.node.id), email)).toMatchObject({
      enable: true,
      expiryTime: new Date(expiresAt).getTime(),
      limitIp: 2,
      totalGB: 50e9,
    });
    const again = await t
      .http()
      .put('/api/v1/keys/151')
      .set(bot)
      .send({ plan: { deviceLimit: 5, enabled: false } })
      .expect(200);
    expect(again.body.planApplied).toBe(false);
    expect(again.body.access).toEqual(created.body.access);
    expect((await t.http().put('/api/v1/keys/151').set(bot).send({}).expect(200)).body.planApplied).toBeUndefined();

    const disabled = await t
      .http()
      .put('/api/v1/keys/152')
      .set(bot)
      .send({ plan: { enabled: false } })
      .expect(201);
    expect(disabled.body.access.status).toBe('disabled');
    const held = await t
      .http()
      .put('/api/v1/keys/153')
      .set(bot)
      .send({ plan: { holdDays: 30 } })
      .expect(201);
    expect(held.body.access).toMatchObject({ status: 'on_hold', holdDays: 30, expiresAt: null });
    expect(clientOn(panelOf(held.body.node.id), `u${held.body.userId}-n${held.body.node.id}`)).toMatchObject({
      expiryTime: -30 * DAY,
    });
    const [event] = await t.dataSource.query(`SELECT count(*)::int AS n FROM events WHERE type = 'user.created'`);
    expect(event.n).toBe(3);
  });

  it.each<[string, unknown, RegExp]>([
    ['a device limit past 100', { deviceLimit: 500 }, /plan\.deviceLimit must not be greater than 100/],
    ['an expiry and a hold', { holdDays: 3, expiresAt: '2030-01-01T00:00:00Z' }, /plan\.expiresAt and plan\.holdDays/],
    ['an unknown group', { groups: ['Atlantis'] }, /plan\.groups\[0\]: no group "Atlantis"/],
    ['an unknown field', { price: 5 }, /plan\.price/],
    ['not an object', 'gold', /plan must be an object/],
  ])('a PUT with a plan naming %s is refused, naming the field, and creates nobody', async (_label, plan, message) => {
    const refused = await t.http().put('/api/v1/keys/161').set(bot).send({ plan }).expect(400);
    expect(refused.body.message.join('; ')).toMatch(message);
    expect(await t.dataSource.query(`SELECT 1 FROM vpn_users WHERE telegram_id = 161`)).toEqual([]);
  });

  it('a new key is open; each change is stored, versioned and written to the panel client', async () => {
    const [key] = await placeUsers(t, bot, 101, 1);
    const email = `u${key.userId}-n${key.node.id}`;
    const panel = panelOf(key.node.id);
    const created = (await t.http().get('/api/v1/keys/101').set(bot).expect(200)).body;
    expect(created.access).toEqual({
      status: 'active',
      enabled: true,
      expiresAt: null,
      holdDays: null,
      trafficLimitBytes: 0,
      trafficReset: 'none',
      periodStart: null,
      nextResetAt: null,
      usedBytes: 0,
      deviceLimit: 0,
      note: null,
      groups: created.keys.map((seat: { group: { id: number } }) => seat.group.id),
    });

    const expiresAt = new Date(Date.now() + 30 * DAY);
    const plan = await patch(101, {
      expiresAt: expiresAt.toISOString(),
      trafficLimitBytes: 100e9,
      deviceLimit: 2,
      note: 'monthly 100 GB',
    }).expect(200);
    expect(plan.body.access).toMatchObject({ status: 'active', trafficLimitBytes: 100e9, deviceLimit: 2 });
    expect(clientOn(panel, email)).toMatchObject({
      enable: true,
      expiryTime: expiresAt.getTime(),
      limitIp: 2,
      totalGB: 100e9,
    });

    await patch(101, { enabled: false }).expect(200);
    expect(clientOn(panel, email)).toMatchObject({ enable: false, expiryTime: expiresAt.getTime() });
    const disabled = (await t.http().get('/api/v1/users?status=disabled').set(fleet.auth).expect(200)).body;
    expect(disabled.items.map((user: { id: number }) => user.id)).toEqual([key.userId]);
    expect((await t.http().get('/api/v1/users?status=active').set(fleet.auth).expect(200)).body.total).toBe(0);
    await t.http().get('/api/v1/users?status=sleeping').set(fleet.auth).expect(400);
    expect((await t.http().get('/api/v1/keys/101').set(bot).expect(200)).body.access.status).toBe('disabled');
    await patch(101, { enabled: true }).expect(200);
    expect(clientOn(panel, email)).toMatchObject({ enable: true });

    await patch(101, { holdDays: 30 }).expect(200);
    expect(clientOn(panel, email)).toMatchObject({ enable: true, expiryTime: -30 * DAY });
    expect((await patch(101, {}).expect(200)).body.access).toMatchObject({ status: 'on_hold', expiresAt: null });

    await patch(101, { holdDays: null, expiresAt: new Date(Date.now() - 1000).toISOString() }).expect(200);
    expect(clientOn(panel, email)).toMatchObject({ enable: false });

    const [{ n: versions }] = await t.dataSource.query(
      `SELECT u.access_version - a.access_version AS n FROM vpn_users u JOIN assignments a ON a.user_id = u.id
        WHERE u.id = $1 AND a.state = 'active'`,
      [key.userId],
    );
    expect(versions).toBe(0);
    const events = await t.dataSource.query(
      `SELECT type FROM events WHERE user_id = $1 AND type LIKE 'user.%' AND type <> 'user.created' ORDER BY id`,
      [key.userId],
    );
    expect(events.map((row: { type: string }) => row.type)).toEqual([
      'user.access_changed',
      'user.access_changed',
      'user.disabled',
      'user.access_changed',
      'user.enabled',
      'user.access_changed',
      'user.access_changed',
      'user.expired',
    ]);
  });

  it('refuses bad plans with 400 naming the field, and changes nothing', async () => {
    await placeUsers(t, bot, 201, 1);
    const before = (await t.http().get('/api/v1/keys/201').set(bot).expect(200)).body.access;
    for (const [body, field] of [
      [{ expiresAt: 'tomorrow' }, 'expiresAt'],
      [{ expiresAt: 12 }, 'expiresAt'],
      [{ holdDays: 0 }, 'holdDays'],
      [{ holdDays: 5000 }, 'holdDays'],
      [{ holdDays: 1.5 }, 'holdDays'],
      [{ trafficLimitBytes: -1 }, 'trafficLimitBytes'],
      [{ trafficLimitBytes: 1.5 }, 'trafficLimitBytes'],
      [{ trafficLimitBytes: null }, 'trafficLimitBytes'],
      [{ trafficReset: 'yearly' }, 'trafficReset'],
      [{ deviceLimit: 101 }, 'deviceLimit'],
      [{ enabled: 'yes' }, 'enabled'],
      [{ note: 'x'.repeat(501) }, 'note'],
      [{ note: 'a\u0000b' }, 'note'],
      [{ plan: 'gold' }, 'plan'],
      [{ expiresAt: new Date().toISOString(), holdDays: 3 }, 'holdDays'],
    ] as Array<[object, string]>) {
      const response = await patch(201, body).expect(400);
      expect(JSON.stringify(response.body.message)).toContain(field);
    }
    expect((await t.http().get('/api/v1/keys/201').set(bot).expect(200)).body.access).toEqual(before);
    await patch(999_999, { enabled: false }).expect(404);
    await t.http().patch('/api/v1/keys/201/access').send({ enabled: false }).expect(401);
    const viewer = { Authorization: `Bearer ${await t.tokenFor('viewer')}` };
    await t.http().patch('/api/v1/keys/201/access').set(viewer).send({ enabled: false }).expect(403);
  });

  it('admins change access by user id; viewers may not', async () => {
    const [key] = await placeUsers(t, bot, 301, 1);
    const { body } = await t
      .http()
      .patch(`/api/v1/users/${key.userId}/access`)
      .set(fleet.auth)
      .send({ deviceLimit: 3 })
      .expect(200);
    expect(body.access).toMatchObject({ deviceLimit: 3, status: 'active' });
    expect(clientOn(panelOf(key.node.id), `u${key.userId}-n${key.node.id}`)).toMatchObject({ limitIp: 3 });
    const viewer = { Authorization: `Bearer ${await t.tokenFor('viewer')}` };
    await t.http().patch(`/api/v1/users/${key.userId}/access`).set(viewer).send({ deviceLimit: 1 }).expect(403);
    await t.http().patch(`/api/v1/users/${key.userId}/access`).set(bot).send({ deviceLimit: 1 }).expect(403);
    await t.http().patch('/api/v1/users/0x10/access').set(fleet.auth).send({ deviceLimit: 1 }).expect(400);
    await t.http().patch('/api/v1/users/999999/access').set(fleet.auth).send({ deviceLimit: 1 }).expect(404);
  });

  it('a move carries the plan to the target client', async () => {
    const [key] = await placeUsers(t, bot, 401, 1);
    const expiresAt = new Date(Date.now() + 7 * DAY);
    await patch(401, { expiresAt: expiresAt.toISOString(), deviceLimit: 1, trafficLimitBytes: 5e9 }).expect(200);
    const target = fleet.nodeIds.find((id) => id !== key.node.id)!;
    await t.http().post(`/api/v1/users/${key.userId}/migrate`).set(fleet.auth).send({ nodeId: target }).expect(200);
    expect(clientOn(panelOf(target), `u${key.userId}-n${target}`)).toMatchObject({
      enable: true,
      expiryTime: expiresAt.getTime(),
      limitIp: 1,
      totalGB: 5e9,
    });
  });

  it('a change made while the panel is away is applied when it is back, before its node serves again', async () => {
    const [key] = await placeUsers(t, bot, 501, 1);
    const nodeId = key.node.id;
    const panel = panelOf(nodeId);
    const email = `u${key.userId}-n${nodeId}`;
    // No seat elsewhere: the user stays on this node while it is down.
    const other = fleet.nodeIds.find((id) => id !== nodeId)!;
    await t.http().patch(`/api/v1/nodes/${other}`).set(fleet.auth).send({ status: 'maintenance' }).expect(200);
    await panel.setFault({ kind: 'refuse' });
    for (let i = 0; i < 3; i++) await checkHealth(t, fleet.auth, nodeId);
    await patch(501, { enabled: false }).expect(200);
    expect(clientOn(panel, email)).toMatchObject({ enable: true }); // not written: the panel refused

    await panel.setFault({ kind: 'none' });
    await checkHealth(t, fleet.auth, nodeId);
    expect(clientOn(panel, email)).toMatchObject({ enable: false });
    expect(await checkHealth(t, fleet.auth, nodeId)).toBe('healthy');
  });

  it('the subscription answers a user who may not use the service with no link and the headers that say why', async () => {
    await placeUsers(t, bot, 601, 1);
    const key = (await t.http().get('/api/v1/keys/601').set(bot).expect(200)).body;
    const path = new URL(key.subscriptionUrl).pathname;
    const expiresAt = new Date(Date.now() + 3 * DAY);
    await patch(601, { expiresAt: expiresAt.toISOString(), trafficLimitBytes: 1000 }).expect(200);
    const open = await request(t.url).get(path).expect(200);
    expect(Buffer.from(open.text, 'base64').toString()).toContain('vless://');
    expect(open.headers['subscription-userinfo']).toBe(
      `upload=0; download=0; total=1000; expire=${Math.floor(expiresAt.getTime() / 1000)}`,
    );
    expect(open.headers['profile-title']).toBe(`base64:${Buffer.from('Fleet VPN').toString('base64')}`);
    expect(open.headers['support-url']).toBe('https://t.me/support');

    await patch(601, { enabled: false }).expect(200);
    const closed = await eventually(
      () => request(t.url).get(path),
      (response) => response.status === 200 && response.text === '',
    );
    expect(closed.status).toBe(200);
    expect(closed.text).toBe('');
    expect(closed.headers['subscription-userinfo']).toContain('total=1000');
  });

  it('extend is idempotent per Idempotency-Key, also under concurrent calls; bad input changes nothing', async () => {
    await placeUsers(t, bot, 701, 1);
    const start = new Date(Date.now() + 10 * DAY);
    await patch(701, { expiresAt: start.toISOString() }).expect(200);
    const extend = (key?: string, days = 30) => {
      const call = t.http().post('/api/v1/keys/701/extend').set(bot);
      if (key) call.set('Idempotency-Key', key);
      return call.send({ days });
    };
    const same = await Promise.all(Array.from({ length: 20 }, () => extend('order-1')));
    expect(same.every((response) => response.status === 200)).toBe(true);
    expect(new Set(same.map((response) => response.body.access.expiresAt)).size).toBe(1);
    const once = new Date(start.getTime() + 30 * DAY).toISOString();
    expect(same[0].body.access.expiresAt).toBe(once);
    const distinct = await Promise.all(Array.from({ length: 10 }, (_, i) => extend(`order-${i + 2}`, 1)));
    expect(distinct.every((response) => response.status === 200)).toBe(true);
    const after = (await t.http().get('/api/v1/keys/701').set(bot).expect(200)).body.access.expiresAt;
    expect(after).toBe(new Date(start.getTime() + 40 * DAY).toISOString());
    // The first key again: the first answer, no further extension.
    expect((await extend('order-1')).body.access.expiresAt).toBe(once);
    for (const days of [0, 3651, 1.5, '7']) {
      const response = await extend('order-bad', days as number).expect(400);
      expect(JSON.stringify(response.body.message)).toContain('days');
    }
    const long = await extend('k'.repeat(129)).expect(400);
    expect(JSON.stringify(long.body.message)).toContain('Idempotency-Key');
    expect((await t.http().get('/api/v1/keys/701').set(bot).expect(200)).body.access.expiresAt).toBe(after);

    // An expired user is re-enabled by an extension.
    await patch(701, { expiresAt: new Date(Date.now() - DAY).toISOString() }).expect(200);
    const renewed = (await extend(undefined, 5).expect(200)).body.access;
    expect(renewed.status).toBe('active');
    expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(Date.now() + 4 * DAY);
  });

  it('reset-traffic starts a new period and lifts a limit', async () => {
    const [key] = await placeUsers(t, bot, 801, 1);
    await patch(801, { trafficLimitBytes: 1000 }).expect(200);
    await t.dataSource.query(`UPDATE vpn_users SET used_bytes = 1000 WHERE id = $1`, [key.userId]);
    expect((await t.http().get('/api/v1/keys/801').set(bot).expect(200)).body.access.status).toBe('limited');
    const { body } = await t.http().post('/api/v1/keys/801/reset-traffic').set(bot).expect(200);
    expect(body.access).toMatchObject({ status: 'active', usedBytes: 0 });
    expect(Date.parse(body.access.periodStart)).toBeGreaterThan(Date.now() - 60_000);
    expect(clientOn(panelOf(key.node.id), `u${key.userId}-n${key.node.id}`)).toMatchObject({ enable: true });
  });

  it('rotate gives a new key and subscription; the old ones stop at once', async () => {
    const [placed] = await placeUsers(t, bot, 901, 1);
    const before = (await t.http().get('/api/v1/keys/901').set(bot).expect(200)).body;
    const oldUuid = /vless:\/\/([^@]+)@/.exec(before.key)![1];
    const { body: after } = await t.http().post('/api/v1/keys/901/rotate').set(bot).expect(200);
    const newUuid = /vless:\/\/([^@]+)@/.exec(after.key)![1];
    expect(newUuid).not.toBe(oldUuid);
    expect(after.subscriptionUrl).not.toBe(before.subscriptionUrl);
    const client = clientOn(panelOf(placed.node.id), `u${placed.userId}-n${placed.node.id}`);
    expect(client).toMatchObject({ id: newUuid, enable: true });
    await request(t.url).get(new URL(before.subscriptionUrl).pathname).expect(404);
    const fresh = await request(t.url).get(new URL(after.subscriptionUrl).pathname).expect(200);
    expect(Buffer.from(fresh.text, 'base64').toString()).toContain(newUuid);
    const [event] = await t.dataSource.query(`SELECT payload FROM events WHERE type = 'user.rotated'`);
    expect(JSON.stringify(event.payload)).not.toContain(newUuid);
  });

  it('rotate with scope key gives a new key and keeps the subscription URL, which serves the new key', async () => {
    const [placed] = await placeUsers(t, bot, 911, 1);
    const before = (await t.http().get('/api/v1/keys/911').set(bot).expect(200)).body;
    const oldUuid = /vless:\/\/([^@]+)@/.exec(before.key)![1];
    const { body: after } = await t.http().post('/api/v1/keys/911/rotate').set(bot).send({ scope: 'key' }).expect(200);
    const newUuid = /vless:\/\/([^@]+)@/.exec(after.key)![1];
    expect(newUuid).not.toBe(oldUuid);
    expect(after.subscriptionUrl).toBe(before.subscriptionUrl);
    expect(clientOn(panelOf(placed.node.id), `u${placed.userId}-n${placed.node.id}`)).toMatchObject({ id: newUuid });
    const served = await request(t.url).get(new URL(after.subscriptionUrl).pathname).expect(200);
    expect(Buffer.from(served.text, 'base64').toString()).toContain(newUuid);
    expect(Buffer.from(served.text, 'base64').toString()).not.toContain(oldUuid);
    const [changed] = await t.dataSource.query(
      `SELECT payload FROM events WHERE type = 'user.rotated' AND user_id = $1`,
      [placed.userId],
    );
    expect(JSON.stringify(changed.payload)).not.toContain(newUuid); // a credential: never in an event
  });

  it.each([['keys'], ['everything'], [1], [null]])('refuses rotate scope %p, naming the field', async (scope) => {
    await placeUsers(t, bot, 921, 1);
    const before = (await t.http().get('/api/v1/keys/921').set(bot).expect(200)).body;
    const refused = await t.http().post('/api/v1/keys/921/rotate').set(bot).send({ scope }).expect(400);
    expect(JSON.stringify(refused.body.message)).toMatch(/scope/);
    expect((await t.http().get('/api/v1/keys/921').set(bot).expect(200)).body.key).toBe(before.key);
    await t.http().delete('/api/v1/keys/921').set(bot).expect(204);
  });

  it('delete revokes the user everywhere; a later PUT is a new user', async () => {
    const [placed] = await placeUsers(t, bot, 1001, 1);
    const key = (await t.http().get('/api/v1/keys/1001').set(bot).expect(200)).body;
    const panel = panelOf(placed.node.id);
    await t.http().delete('/api/v1/keys/1001').set(bot).expect(204);
    expect(clientOn(panel, `u${placed.userId}-n${placed.node.id}`)).toBeUndefined();
    await t.http().get('/api/v1/keys/1001').set(bot).expect(404);
    await t.http().delete('/api/v1/keys/1001').set(bot).expect(404);
    await request(t.url).get(new URL(key.subscriptionUrl).pathname).expect(404);
    await t.http().get(`/api/v1/users/${placed.userId}`).set(fleet.auth).expect(404);
    const loads = (await t.http().get('/api/v1/balancer/loads').set(fleet.auth).expect(200)).body;
    expect(loads.reduce((sum: number, node: { currentUsers: number }) => sum + node.currentUsers, 0)).toBe(0);
    const again = (await t.http().put('/api/v1/keys/1001').set(bot).send({}).expect(201)).body;
    expect(again.userId).not.toBe(placed.userId);
    expect(again.key).not.toBe(key.key);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM events WHERE type = 'user.deleted'`);
    expect(n).toBe(1);
  });

  it('the dashboard counts users by status from kept totals: every change counted once, also after folding', async () => {
    const keys = await placeUsers(t, bot, 1051, 6);
    const overview = async () => (await t.http().get('/api/v1/stats/overview').set(fleet.auth).expect(200)).body;
    await t.http().patch(`/api/v1/users/${keys[0].userId}/access`).set(fleet.auth).send({ enabled: false }).expect(200);
    await patch(1052, { expiresAt: new Date(Date.now() - 1000).toISOString() }).expect(200);
    await t.http().delete('/api/v1/keys/1053').set(bot).expect(204);
    await patch(1054, { enabled: true }).expect(200); // no change of status: nothing counted
    const expected = { active: 3, on_hold: 0, disabled: 1, expired: 1, limited: 0 };
    const real = async () =>
      Object.fromEntries(
        (
          await t.dataSource.query(
            `SELECT status, count(*)::int AS n FROM vpn_users WHERE deleted_at IS NULL GROUP BY status`,
          )
        ).map((row: { status: string; n: number }) => [row.status, row.n]),
      );
    expect(await real()).toEqual({ active: 3, disabled: 1, expired: 1 });
    const before = await overview();
    expect(before.access).toMatchObject(expected);
    expect(before.users).toEqual({ total: 6, placed: 5 });
    await t.app.get(HousekeepingService).run();
    const [{ pending }] = await t.dataSource.query(`SELECT count(*)::int AS pending FROM user_count_changes`);
    expect(pending).toBe(0);
    expect((await overview()).access).toMatchObject(expected);
    expect((await overview()).users).toEqual({ total: 6, placed: 5 });
  });

  it('a failover moves the users who may use the service; the others keep their seat', async () => {
    const keys = await placeUsers(t, bot, 1101, 4);
    const deadNode = keys[0].node.id;
    const onDead = keys.filter((key) => key.node.id === deadNode);
    expect(onDead.length).toBeGreaterThanOrEqual(2);
    const [disabled, ...serving] = onDead;
    await t
      .http()
      .patch(`/api/v1/users/${disabled.userId}/access`)
      .set(fleet.auth)
      .send({ enabled: false })
      .expect(200);
    await panelOf(deadNode).setFault({ kind: 'refuse' });
    for (let i = 0; i < 3; i++) await checkHealth(t, fleet.auth, deadNode);
    const job = await eventually(
      async () => (await t.http().get('/api/v1/jobs').set(fleet.auth).expect(200)).body.items[0],
      (view) => view?.status === 'completed',
    );
    expect(job).toMatchObject({ kind: 'failover', total: serving.length, done: serving.length });
    const nodeOf = async (userId: number) =>
      (await t.http().get(`/api/v1/users/${userId}`).set(fleet.auth).expect(200)).body.node.id;
    expect(await nodeOf(disabled.userId)).toBe(deadNode);
    for (const user of serving) expect(await nodeOf(user.userId)).not.toBe(deadNode);
  });

  it('the access pass expires plans and warns before expiry, each once, on one replica at a time', async () => {
    const [key] = await placeUsers(t, bot, 1201, 2);
    const email = `u${key.userId}-n${key.node.id}`;
    await patch(1201, { expiresAt: new Date(Date.now() + 800).toISOString() }).expect(200);
    await patch(1202, { expiresAt: new Date(Date.now() + 10 * 3600_000).toISOString() }).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 900));
    const second = await startTestApp({ databaseUrl: t.databaseUrl, secretKey: SECRET_KEY });
    try {
      const passes = await Promise.all([t, second, t].map((app) => app.app.get(AccessPassService).run()));
      expect(passes.reduce((sum, pass) => sum + pass.expired, 0)).toBe(1);
      expect(passes.reduce((sum, pass) => sum + pass.warned, 0)).toBe(1);
      expect(await t.app.get(AccessPassService).run()).toEqual({ expired: 0, warned: 0, reset: 0, started: 0 });
    } finally {
      await second.app.close();
    }
    expect((await t.http().get('/api/v1/keys/1201').set(bot).expect(200)).body.access.status).toBe('expired');
    expect(clientOn(panelOf(key.node.id), email)).toMatchObject({ enable: false });
    const types = async (type: string) =>
      (await t.dataSource.query(`SELECT count(*)::int AS n FROM events WHERE type = $1`, [type]))[0].n;
    expect(await types('user.expired')).toBe(1);
    expect(await types('user.expiring')).toBe(1);
  });

  it('the panel enforces the plan by itself (control plane not involved): expiry, traffic limit, first use', async () => {
    const keys = await placeUsers(t, bot, 1301, 6);
    const [expiring, capped, held] = keys.filter((key) => key.node.id === keys[0].node.id);
    const panel = panelOf(keys[0].node.id);
    const email = (key: { userId: number; node: { id: number } }) => `u${key.userId}-n${key.node.id}`;
    await t
      .http()
      .patch(`/api/v1/users/${expiring.userId}/access`)
      .set(fleet.auth)
      .send({
        expiresAt: new Date(Date.now() + 300).toISOString(),
      });
    await t.http().patch(`/api/v1/users/${capped.userId}/access`).set(fleet.auth).send({ trafficLimitBytes: 1000 });
    await t.http().patch(`/api/v1/users/${held.userId}/access`).set(fleet.auth).send({ holdDays: 10 });
    await new Promise((resolve) => setTimeout(resolve, 350));
    // The panel's own traffic job: bytes arrive, the panel checks its clients.
    panel.state.recordTraffic([
      { email: email(capped), up: 600, down: 500 },
      { email: email(held), up: 1, down: 1 },
    ]);
    const row = (key: { userId: number; node: { id: number } }) => panel.state.traffics.get(email(key))!;
    expect(row(expiring).enable).toBe(false);
    expect(row(capped).enable).toBe(false);
    expect(row(held).enable).toBe(true);
    expect(row(held).expiryTime).toBeGreaterThan(Date.now() + 9 * DAY);
  });

  it('a traffic period ends on its schedule: used traffic back to 0, a limited user active again, announced once', async () => {
    const [key] = await placeUsers(t, bot, 1401, 1);
    const { body } = await patch(1401, { trafficReset: 'day', trafficLimitBytes: 1000 }).expect(200);
    const tomorrow = new Date();
    tomorrow.setUTCHours(24, 0, 0, 0);
    expect(body.access).toMatchObject({ trafficReset: 'day', nextResetAt: tomorrow.toISOString() });
    // The period ends (moved into the past), with the limit reached meanwhile.
    await t.dataSource.query(
      `UPDATE vpn_users SET used_bytes = 1000, status = 'limited', next_reset_at = now() - interval '1 minute'
        WHERE id = $1`,
      [key.userId],
    );
    expect(await t.app.get(AccessPassService).run()).toMatchObject({ reset: 1 });
    expect(await t.app.get(AccessPassService).run()).toMatchObject({ reset: 0 });
    const access = (await t.http().get('/api/v1/keys/1401').set(bot).expect(200)).body.access;
    expect(access).toMatchObject({ status: 'active', usedBytes: 0, nextResetAt: tomorrow.toISOString() });
    const types = (
      await t.dataSource.query(`SELECT type FROM events WHERE user_id = $1 ORDER BY id`, [key.userId])
    ).map((row: { type: string }) => row.type);
    expect(types.filter((type: string) => type === 'user.traffic_reset')).toHaveLength(1);
    expect(types.slice(-2)).toEqual(['user.traffic_reset', 'user.enabled']);
  });

  it('a held plan starts at first traffic: the pass reads the panel, sets the expiry and announces it once', async () => {
    const [key] = await placeUsers(t, bot, 1501, 1);
    const email = `u${key.userId}-n${key.node.id}`;
    const panel = panelOf(key.node.id);
    await patch(1501, { holdDays: 30 }).expect(200);
    expect(await t.app.get(AccessPassService).run()).toMatchObject({ started: 0 }); // no traffic yet
    panel.state.recordTraffic([{ email, up: 5, down: 5 }]);
    const startedAt = panel.state.traffics.get(email)!.expiryTime;
    expect(startedAt).toBeGreaterThan(Date.now() + 29 * DAY);
    expect(await t.app.get(AccessPassService).run()).toMatchObject({ started: 1 });
    expect(await t.app.get(AccessPassService).run()).toMatchObject({ started: 0 });
    const access = (await t.http().get('/api/v1/keys/1501').set(bot).expect(200)).body.access;
    expect(access).toMatchObject({ status: 'active', holdDays: 30, expiresAt: new Date(startedAt).toISOString() });
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM events WHERE type = 'user.first_connected'`,
    );
    expect(n).toBe(1);
    expect(clientOn(panel, email)).toMatchObject({ enable: true, expiryTime: startedAt });
  });
  it('with the control plane stopped and the panel restarted, a disabled or expired client stays off and carries no traffic', async () => {
    const keys = await placeUsers(t, bot, 1601, 6);
    const [expired, lapsing, open] = keys.filter((key) => key.node.id === keys[0].node.id);
    const panel = panelOf(keys[0].node.id);
    const email = (key: { userId: number; node: { id: number } }) => `u${key.userId}-n${key.node.id}`;
    const set = (key: { userId: number }, body: object) =>
      t.http().patch(`/api/v1/users/${key.userId}/access`).set(fleet.auth).send(body).expect(200);
    await set(expired, { expiresAt: new Date(Date.now() - DAY).toISOString() });
    await set(lapsing, { expiresAt: new Date(Date.now() + 300).toISOString() }); // lapses while we are down
    await t.stop();
    await panel.stop();
    await new Promise((resolve) => setTimeout(resolve, 350));
    await panel.start();
    const bytes = (key: { userId: number; node: { id: number } }) =>
      panel.state.recordTraffic([{ email: email(key), up: 10, down: 10 }]);
    expect(bytes(expired)).toBe(0);
    expect(bytes(open)).toBe(20);
    expect(bytes(lapsing)).toBe(0); // the panel's own job disabled it at its expiry
    expect(clientOn(panel, email(expired))).toMatchObject({ enable: false });
    expect(panel.state.traffics.get(email(lapsing))).toMatchObject({ enable: false });
  });

  it('rotation: at every instant the panel holds a working key, and the old subscription stops for good', async () => {
    const [placed] = await placeUsers(t, bot, 1701, 1);
    const panel = panelOf(placed.node.id);
    const email = `u${placed.userId}-n${placed.node.id}`;
    const before = (await t.http().get('/api/v1/keys/1701').set(bot).expect(200)).body;
    const oldUuid = /vless:\/\/([^@]+)@/.exec(before.key)![1];
    const seenOnPanel = new Set<string>();
    let gap = false;
    const sample = setInterval(() => {
      const client = clientOn(panel, email);
      if (!client || client['enable'] !== true) gap = true;
      else seenOnPanel.add(String(client['id']));
    }, 1);
    const polls: number[] = [];
    let rotated = false;
    const poller = (async () => {
      while (!rotated) polls.push((await request(t.url).get(new URL(before.subscriptionUrl).pathname)).status);
    })();
    const { body: after } = await t.http().post('/api/v1/keys/1701/rotate').set(bot).expect(200);
    rotated = true;
    await poller;
    const newUuid = /vless:\/\/([^@]+)@/.exec(after.key)![1];
    expect(clientOn(panel, email)).toMatchObject({ id: newUuid, enable: true }); // the new key works once it is handed out
    clearInterval(sample);
    expect(gap).toBe(false);
    expect([...seenOnPanel].every((uuid) => [oldUuid, newUuid].includes(uuid))).toBe(true);
    // The old subscription answered until the change, then 404 for good.
    const first404 = polls.indexOf(404);
    expect(polls.slice(first404 === -1 ? polls.length : first404).every((status) => status === 404)).toBe(true);
    expect(polls.slice(0, first404 === -1 ? polls.length : first404).every((status) => status === 200)).toBe(true);
    await request(t.url).get(new URL(before.subscriptionUrl).pathname).expect(404);
  });
});
