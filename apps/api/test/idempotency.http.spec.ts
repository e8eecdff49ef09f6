import { placeUsers, startFleet } from './support/fleet';
import { startTestApp, TestApp } from './support/test-app';

type Fleet = Awaited<ReturnType<typeof startFleet>>;
const DAY = 86_400_000;

/**
 * An `Idempotency-Key` names one request. The same request again is answered from the first call (and says so);
 * the key reused for any other request — another body, route or caller — is 422, and nothing is applied.
 */
describe('Idempotency-Key (real HTTP, PostgreSQL, a simulated panel)', () => {
  let t: TestApp;
  let fleet: Fleet;
  let bot: { Authorization: string };
  let otherBot: { Authorization: string };
  let userId: number;
  const start = new Date(Date.now() + 10 * DAY);

  beforeAll(async () => {
    t = await startTestApp();
    fleet = await startFleet(t, [{ node: { maxUsers: 10 } }]);
    bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
    const created = await t.http().post('/api/v1/tokens').set(fleet.auth).send({ name: 'shop-2', role: 'bot' });
    otherBot = { Authorization: `Bearer ${created.body.token}` };
    [{ userId }] = await placeUsers(t, bot, 801, 2);
    await t.http().patch('/api/v1/keys/801/access').set(bot).send({ expiresAt: start.toISOString() }).expect(200);
  });
  afterAll(async () => {
    await t.close();
    await fleet.stop();
  });

  const extend = (key: string, body: unknown, auth = bot, path = '/api/v1/keys/801/extend') =>
    t
      .http()
      .post(path)
      .set(auth)
      .set('Idempotency-Key', key)
      .set('Content-Type', 'application/json')
      .send(typeof body === 'string' ? body : JSON.stringify(body));
  const expiresAt = async (telegramId = 801) =>
    (await t.http().get(`/api/v1/keys/${telegramId}`).set(bot).expect(200)).body.access.expiresAt as string;

  it('answers a true retry with the first answer and Idempotent-Replayed: true, however the body is spelled', async () => {
    const first = await extend('order-1', { days: 30 }).expect(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const once = new Date(start.getTime() + 30 * DAY).toISOString();
    expect(first.body.access.expiresAt).toBe(once);
    for (const body of [{ days: 30 }, '{ "days" : 30.0 }']) {
      const retry = await extend('order-1', body).expect(200);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body.access).toEqual(first.body.access);
    }
    expect(await expiresAt()).toBe(once);
  });

  it('refuses the key with another body, route or caller: 422 saying why, nothing applied', async () => {
    await extend('order-2', { days: 5 }).expect(200);
    await extend('order-2a', { days: 5 }, fleet.auth).expect(200); // an admin may use both routes
    const before = await expiresAt();
    const otherUser = await expiresAt(802);
    const reuses: Array<[string, ReturnType<typeof extend>]> = [
      ['with a different body', extend('order-2', { days: 6 })],
      ['for POST /api/v1/keys/801/extend', extend('order-2', { days: 5 }, bot, '/api/v1/keys/802/extend')],
      [
        'for POST /api/v1/keys/801/extend',
        extend('order-2a', { days: 5 }, fleet.auth, `/api/v1/users/${userId}/extend`),
      ],
      ['by another caller', extend('order-2', { days: 5 }, otherBot)],
    ];
    for (const [reason, call] of reuses) {
      const response = await call;
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({ statusCode: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
      expect(response.body.message.join(' ')).toContain(`Idempotency-Key was already used ${reason}`);
      expect(response.headers['idempotent-replayed']).toBeUndefined();
    }
    expect(await expiresAt()).toBe(before);
    expect(await expiresAt(802)).toBe(otherUser);
  });

  it('under concurrent calls extends once: the same request is replayed, another one refused', async () => {
    const before = Date.parse(await expiresAt());
    // 4 calls ask for 7 days, 8 for 8 days, all with one key: whichever comes first is applied, once.
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => extend('order-3', { days: i % 3 === 0 ? 7 : 8 })),
    );
    const applied = responses.filter((r) => r.status === 200 && r.headers['idempotent-replayed'] === undefined);
    expect(applied).toHaveLength(1);
    const extendedBy = Date.parse(await expiresAt()) - before;
    expect([7 * DAY, 8 * DAY]).toContain(extendedBy);
    const answered = responses.filter((response) => response.status === 200);
    expect(answered).toHaveLength(extendedBy === 7 * DAY ? 4 : 8);
    for (const response of answered) expect(Date.parse(response.body.access.expiresAt)).toBe(before + extendedBy);
    expect(responses.filter((response) => response.status === 422)).toHaveLength(12 - answered.length);
  });

  it('keeps the key across a failed request: a refused body does not use it up', async () => {
    await extend('order-4', { days: 0 }).expect(400);
    await extend('order-4', { days: 3 }).expect(200);
    await t
      .http()
      .post('/api/v1/keys/801/extend')
      .set(bot)
      .set('Idempotency-Key', 'has space')
      .send({ days: 1 })
      .expect(400);
  });

  it('asks for credentials first', async () => {
    await t.http().post('/api/v1/keys/801/extend').set('Idempotency-Key', 'order-1').send({ days: 30 }).expect(401);
    const viewer = { Authorization: `Bearer ${await t.tokenFor('viewer')}` };
    await extend('order-1', { days: 30 }, viewer).expect(403);
  });
});
