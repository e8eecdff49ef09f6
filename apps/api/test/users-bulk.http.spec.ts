import { clientOn, eventually, startFleet } from './support/fleet';
import { startTestApp, TestApp } from './support/test-app';

type Fleet = Awaited<ReturnType<typeof startFleet>>;

/** The users table's bulk actions: each user through its single-user service call, with an outcome per user. */
describe('bulk actions on users', () => {
  let t: TestApp;
  let fleet: Fleet;
  let bot: { Authorization: string };
  const bulk = (action: string, body: object, headers: Record<string, string> = {}) =>
    t.http().post(`/api/v1/users/bulk-${action}`).set(fleet.auth).set(headers).send(body);
  const user = async (id: number) => (await t.http().get(`/api/v1/users/${id}`).set(fleet.auth).expect(200)).body;

  beforeAll(async () => {
    t = await startTestApp();
    fleet = await startFleet(t, [{ node: { maxUsers: 10 } }, { node: { maxUsers: 10, status: 'maintenance' } }]);
    bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
  });
  afterAll(async () => {
    await t.close();
    await fleet.stop();
  });

  async function users(...telegramIds: number[]): Promise<number[]> {
    const ids: number[] = [];
    for (const telegramId of telegramIds) {
      ids.push((await t.http().put(`/api/v1/keys/${telegramId}`).set(bot).send({}).expect(201)).body.userId);
    }
    return ids;
  }

  it('extends each user once, also when the request is repeated with its key; an unknown user is its own refusal', async () => {
    const ids = await users(6001, 6002, 6003);
    const key = { 'Idempotency-Key': 'bulk-extend-1' };
    const { body } = await bulk('extend', { ids: [...ids, 999999], days: 7 }, key).expect(200);
    expect(body).toMatchObject({ done: 3, failed: 1 });
    expect(body.results.map((result: { id: number }) => result.id)).toEqual([...ids, 999999]);
    expect(body.results[3]).toMatchObject({ ok: false, code: 'USER_NOT_FOUND' });
    const once = (await user(ids[0])).access.expiresAt;
    expect(Date.parse(once) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    await bulk('extend', { ids: [...ids, 999999], days: 7 }, key).expect(200);
    expect((await user(ids[0])).access.expiresAt).toBe(once);
    await bulk('extend', { ids: [ids[0]], days: 1 }).expect(200);
    expect(Date.parse((await user(ids[0])).access.expiresAt)).toBe(Date.parse(once) + 86_400_000);
  });

  it('disables and enables users, their panel clients with them', async () => {
    const ids = await users(6011, 6012);
    expect((await bulk('access', { ids, enabled: false }).expect(200)).body).toMatchObject({ done: 2, failed: 0 });
    for (const id of ids) expect((await user(id)).access.status).toBe('disabled');
    const { clientEmail } = await user(ids[0]);
    await eventually(
      async () => clientOn(fleet.panels[0], clientEmail)?.['enable'],
      (enabled) => enabled === false,
    );
    await bulk('access', { ids, enabled: true }).expect(200);
    expect((await user(ids[1])).access.status).toBe('active');
  });

  it('moves users to a node, each refused on its own when it cannot move', async () => {
    const ids = await users(6021, 6022);
    await t.http().patch(`/api/v1/nodes/${fleet.nodeIds[1]}`).set(fleet.auth).send({ status: 'active' }).expect(200);
    const first = (await bulk('migrate', { ids, nodeId: fleet.nodeIds[1] }).expect(200)).body;
    expect(first).toMatchObject({ done: 2, failed: 0 });
    expect((await user(ids[0])).node.id).toBe(fleet.nodeIds[1]);
    const again = (await bulk('migrate', { ids: [ids[0]], nodeId: fleet.nodeIds[1] }).expect(200)).body;
    expect(again.results[0]).toMatchObject({ ok: false, code: 'NODE_NOT_ELIGIBLE' });
    const nowhere = (await bulk('migrate', { ids: [ids[1]], nodeId: 424242 }).expect(200)).body;
    expect(nowhere.results[0]).toMatchObject({ ok: false, code: 'NODE_NOT_FOUND' });
  });

  it('deletes users', async () => {
    const ids = await users(6031, 6032);
    expect((await bulk('delete', { ids }).expect(200)).body).toMatchObject({ done: 2, failed: 0 });
    for (const id of ids) await t.http().get(`/api/v1/users/${id}`).set(fleet.auth).expect(404);
    expect((await bulk('delete', { ids }).expect(200)).body).toMatchObject({ done: 0, failed: 2 });
  });

  it('refuses bad input naming the field, viewers and the bot (403), strangers (401)', async () => {
    for (const [body, field] of [
      [{ ids: [], days: 1 }, 'ids'],
      [{ ids: Array.from({ length: 501 }, (_, i) => i + 1), days: 1 }, 'ids'],
      [{ ids: [1, 1], days: 1 }, 'ids'],
      [{ ids: ['1'], days: 1 }, 'ids'],
      [{ ids: [0], days: 1 }, 'ids'],
      [{ ids: [2147483648], days: 1 }, 'ids'],
      [{ ids: [1], days: 0 }, 'days'],
      [{ ids: [1] }, 'days'],
    ] as const) {
      const { body: refusal } = await bulk('extend', body).expect(400);
      expect(refusal.message.join(' ')).toContain(field);
    }
    expect((await bulk('access', { ids: [1], enabled: 'no' }).expect(400)).body.message.join(' ')).toContain('enabled');
    expect((await bulk('migrate', { ids: [1] }).expect(400)).body.message.join(' ')).toContain('nodeId');
    const viewer = { Authorization: `Bearer ${await t.tokenFor('viewer')}` };
    for (const action of ['extend', 'access', 'migrate', 'delete']) {
      await t
        .http()
        .post(`/api/v1/users/bulk-${action}`)
        .set(viewer)
        .send({ ids: [1] })
        .expect(403);
      await t
        .http()
        .post(`/api/v1/users/bulk-${action}`)
        .set(bot)
        .send({ ids: [1] })
        .expect(403);
      await t
        .http()
        .post(`/api/v1/users/bulk-${action}`)
        .send({ ids: [1] })
        .expect(401);
    }
  });
});
