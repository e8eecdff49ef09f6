import { startFleet } from './support/fleet';
import { startTestApp, TestApp } from './support/test-app';

type Fleet = Awaited<ReturnType<typeof startFleet>>;

/**
 * Devices at the subscription fetch (`x-hwid`): recorded with what the app says of itself; past the plan's device
 * limit a new device gets no links (known ones keep theirs); at most 100 kept per user; the bot and admins list and
 * forget them.
 */
describe('devices (HWID) at the subscription fetch', () => {
  let t: TestApp;
  let fleet: Fleet;
  let bot: { Authorization: string };
  let viewer: { Authorization: string };

  beforeAll(async () => {
    t = await startTestApp();
    fleet = await startFleet(t, [{ node: { maxUsers: 50 } }]);
    bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
    viewer = { Authorization: `Bearer ${await t.tokenFor('viewer')}` };
  });
  afterAll(async () => {
    await t.close();
    await fleet.stop();
  });

  async function user(telegramId: number, plan: Record<string, unknown> = {}) {
    const { body } = await t.http().put(`/api/v1/keys/${telegramId}`).set(bot).send({ plan }).expect(201);
    return { path: new URL(body.subscriptionUrl).pathname, userId: body.userId as number };
  }
  const fetchFrom = (path: string, hwid: string, extra: Record<string, string> = {}) =>
    t
      .http()
      .get(`${path}?format=links`)
      .set({ 'x-hwid': hwid, 'x-device-os': 'iOS', 'x-ver-os': '18.1', 'x-device-model': 'iPhone15,2', ...extra })
      .set('User-Agent', 'Happ/1.5.2');

  it('records a device once, with what the app says of itself; the bot and admins list it', async () => {
    const { path, userId } = await user(8001);
    await fetchFrom(path, 'hw-phone').expect(200);
    await fetchFrom(path, 'hw-phone').expect(200);
    const { body: devices } = await t.http().get('/api/v1/keys/8001/devices').set(bot).expect(200);
    expect(devices).toEqual([
      expect.objectContaining({
        hwid: 'hw-phone',
        os: 'iOS',
        osVersion: '18.1',
        model: 'iPhone15,2',
        userAgent: 'Happ/1.5.2',
      }),
    ]);
    const { body: same } = await t.http().get(`/api/v1/users/${userId}/devices`).set(viewer).expect(200);
    expect(same).toEqual(devices);
    const [event] = await t.dataSource.query(
      `SELECT payload FROM events WHERE type = 'user.device_added' AND user_id = $1`,
      [userId],
    );
    expect(event.payload).toMatchObject({ deviceId: devices[0].id, hwid: 'hw-phone', devices: 1, deviceLimit: 0 });
    // A fetch without x-hwid is not a device.
    await t.http().get(path).expect(200);
    expect((await t.http().get('/api/v1/keys/8001/devices').set(bot)).body).toHaveLength(1);
  });

  it('past the device limit a new device gets no links and says why; known ones keep working; forgetting one frees a place', async () => {
    const { path } = await user(8002, { deviceLimit: 2 });
    await fetchFrom(path, 'hw-a').expect(200);
    await fetchFrom(path, 'hw-b').expect(200);
    const refused = await fetchFrom(path, 'hw-c').expect(200);
    expect(refused.text).toBe('');
    expect(refused.headers['x-hwid-limit']).toBe('true');
    expect(refused.headers['announce']).toMatch(/^base64:/);
    expect(Buffer.from(refused.headers['announce'].slice(7), 'base64').toString()).toMatch(/device limit/);
    const known = await fetchFrom(path, 'hw-a').expect(200);
    expect(known.text).toMatch(/^vless:\/\//);
    expect(known.headers['x-hwid-limit']).toBeUndefined();

    const { body: devices } = await t.http().get('/api/v1/keys/8002/devices').set(bot).expect(200);
    expect(devices.map((device: { hwid: string }) => device.hwid).sort()).toEqual(['hw-a', 'hw-b']);
    const b = devices.find((device: { hwid: string }) => device.hwid === 'hw-b');
    await t.http().delete(`/api/v1/keys/8002/devices/${b.id}`).set(bot).expect(204);
    expect((await fetchFrom(path, 'hw-c').expect(200)).text).toMatch(/^vless:\/\//);
  });

  it('admits one device at a time: of five new devices fetching at once with a limit of one, one gets links', async () => {
    const { path } = await user(8003, { deviceLimit: 1 });
    const answers = await Promise.all(['p', 'q', 'r', 's', 'u'].map((hwid) => fetchFrom(path, `hw-${hwid}`)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.filter((answer) => answer.text.startsWith('vless://'))).toHaveLength(1);
    expect((await t.http().get('/api/v1/keys/8003/devices').set(bot)).body).toHaveLength(1);
  });

  it('keeps at most 100 devices per user, the ones unused longest leaving first', async () => {
    const { path, userId } = await user(8004);
    for (let i = 0; i < 105; i++) await fetchFrom(path, `hw-${i}`).expect(200);
    const { body: devices } = await t.http().get(`/api/v1/users/${userId}/devices`).set(fleet.auth).expect(200);
    expect(devices).toHaveLength(100);
    expect(devices.map((device: { hwid: string }) => device.hwid)).not.toContain('hw-0');
    expect(devices[0].hwid).toBe('hw-104');
  });

  it('refuses a huge or non-ASCII hardware id with 400 naming it, and never keeps it', async () => {
    const { path } = await user(8005);
    for (const hwid of ['x'.repeat(129), 'hw-\xe9t\xe9', '']) {
      const refused = await t.http().get(path).set('x-hwid', hwid).expect(400);
      expect(refused.body).toMatchObject({ code: 'VALIDATION_FAILED', message: [expect.stringContaining('x-hwid')] });
    }
    // Overlong or odd descriptions are cut and cleaned, not refused.
    await fetchFrom(path, 'hw-long', { 'x-device-model': `M${'m'.repeat(500)}\xe9` }).expect(200);
    const { body: devices } = await t.http().get('/api/v1/keys/8005/devices').set(bot).expect(200);
    expect(devices).toEqual([expect.objectContaining({ hwid: 'hw-long', model: `M${'m'.repeat(127)}` })]);
  });

  it('answers wrong roles, unknown users and devices and bad ids with the documented refusals', async () => {
    const { userId } = await user(8006);
    await t.http().get('/api/v1/keys/8006/devices').set(viewer).expect(403);
    await t.http().get(`/api/v1/users/${userId}/devices`).set(bot).expect(403);
    await t.http().delete(`/api/v1/users/${userId}/devices/1`).set(viewer).expect(403);
    await t.http().get('/api/v1/keys/8006/devices').expect(401);
    expect((await t.http().get('/api/v1/keys/999999/devices').set(bot).expect(404)).body.code).toBe('USER_NOT_FOUND');
    expect((await t.http().get('/api/v1/users/999999/devices').set(fleet.auth).expect(404)).body.code).toBe(
      'USER_NOT_FOUND',
    );
    expect((await t.http().delete('/api/v1/keys/8006/devices/999999').set(bot).expect(404)).body.code).toBe(
      'DEVICE_NOT_FOUND',
    );
    for (const bad of ['abc', '0', '1e3', '99999999999']) {
      const refused = await t.http().delete(`/api/v1/keys/8006/devices/${bad}`).set(bot).expect(400);
      expect(refused.body.message.join(' ')).toContain('deviceId');
    }
  });
});
