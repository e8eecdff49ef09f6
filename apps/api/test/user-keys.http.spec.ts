import { startFleet } from './support/fleet';
import { startTestApp, TestApp } from './support/test-app';

type Fleet = Awaited<ReturnType<typeof startFleet>>;

/** `GET /users/:id/keys`: what support hands a user (subscription URL, share links), for admins only. */
describe('a user’s keys for support', () => {
  let t: TestApp;
  let fleet: Fleet;
  let admin: { Authorization: string };
  let bot: { Authorization: string };

  beforeAll(async () => {
    t = await startTestApp();
    fleet = await startFleet(t, [{ node: { maxUsers: 10 } }]);
    admin = { Authorization: `Bearer ${await t.adminToken()}` };
    bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
  });
  afterAll(async () => {
    await t.close();
    await fleet.stop();
  });

  it('answers the subscription URL and the share links the bot gets, and the new ones after a rotation', async () => {
    const { body: key } = await t.http().put('/api/v1/keys/4101').set(bot).send({}).expect(201);
    const { body } = await t.http().get(`/api/v1/users/${key.userId}/keys`).set(admin).expect(200);
    expect(body).toEqual({ userId: key.userId, subscriptionUrl: key.subscriptionUrl, keys: key.keys });
    expect(
      (
        await t
          .http()
          .get(body.subscriptionUrl.replace(/^https?:\/\/[^/]+/, ''))
          .expect(200)
      ).text,
    ).not.toBe('');

    await t.http().post(`/api/v1/users/${key.userId}/rotate`).set(admin).send({ scope: 'all' }).expect(200);
    const { body: rotated } = await t.http().get(`/api/v1/users/${key.userId}/keys`).set(admin).expect(200);
    expect(rotated.subscriptionUrl).not.toBe(body.subscriptionUrl);
    expect(rotated.keys[0].key).not.toBe(body.keys[0].key);
  });

  it('a user holding no server still has its subscription URL, and no links', async () => {
    const { body: key } = await t.http().put('/api/v1/keys/4102').set(bot).send({}).expect(201);
    // Its seat gone (as when its group left the plan).
    await t.dataSource.query(`UPDATE assignments SET state = 'released', released_at = now() WHERE user_id = $1`, [
      key.userId,
    ]);
    await t.dataSource.query(`UPDATE nodes SET current_users = current_users - 1 WHERE id = $1`, [key.node.id]);
    const { body } = await t.http().get(`/api/v1/users/${key.userId}/keys`).set(admin).expect(200);
    expect(body).toEqual({ userId: key.userId, subscriptionUrl: key.subscriptionUrl, keys: [] });
  });

  it('refuses viewers and the bot (403), strangers (401), a bad id (400) and an unknown user (404)', async () => {
    const viewer = { Authorization: `Bearer ${await t.tokenFor('viewer')}` };
    expect((await t.http().get('/api/v1/users/1/keys').set(viewer).expect(403)).body.code).toBe('FORBIDDEN');
    await t.http().get('/api/v1/users/1/keys').set(bot).expect(403);
    await t.http().get('/api/v1/users/1/keys').expect(401);
    await t.http().get('/api/v1/users/1/keys').set({ Authorization: 'Bearer not-a-token' }).expect(401);
    for (const id of ['0', '01', '1.5', 'abc', '9007199254740992']) {
      const { body } = await t.http().get(`/api/v1/users/${id}/keys`).set(admin).expect(400);
      expect(body.message.join(' ')).toContain('id');
    }
    expect((await t.http().get('/api/v1/users/999999/keys').set(admin).expect(404)).body.code).toBe('USER_NOT_FOUND');
    // A deleted user has no keys to hand out.
    const { body: gone } = await t.http().put('/api/v1/keys/4103').set(bot).send({}).expect(201);
    await t.http().delete(`/api/v1/users/${gone.userId}`).set(admin).expect(204);
    expect((await t.http().get(`/api/v1/users/${gone.userId}/keys`).set(admin).expect(404)).body.code).toBe(
      'USER_NOT_FOUND',
    );
  });
});
