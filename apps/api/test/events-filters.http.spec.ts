import { startFleet } from './support/fleet';
import { startTestApp, TestApp } from './support/test-app';

type Fleet = Awaited<ReturnType<typeof startFleet>>;

/** The events page's filters: by user, by node, by type and by a time window, on their indexes. */
describe('events filtered by user and time', () => {
  let t: TestApp;
  let fleet: Fleet;
  const events = async (query: string) =>
    (await t.http().get(`/api/v1/events?${query}`).set(fleet.auth).expect(200)).body as {
      items: Array<{ type: string; userId: number | null; createdAt: string }>;
      total: number;
    };

  beforeAll(async () => {
    t = await startTestApp();
    fleet = await startFleet(t, [{ node: { maxUsers: 10 } }]);
  });
  afterAll(async () => {
    await t.close();
    await fleet.stop();
  });

  it('answers one user’s events, within a window, newest first', async () => {
    const bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
    const alice = (await t.http().put('/api/v1/keys/7101').set(bot).send({}).expect(201)).body.userId;
    const bob = (await t.http().put('/api/v1/keys/7102').set(bot).send({}).expect(201)).body.userId;
    await t.http().post(`/api/v1/users/${alice}/extend`).set(fleet.auth).send({ days: 3 }).expect(200);
    // An old event of alice's, outside the window asked below.
    await t.dataSource.query(
      `INSERT INTO events (type, actor, user_id, payload, created_at)
       VALUES ('user.extended', 'admin:old', $1, '{}', now() - interval '10 days')`,
      [alice],
    );

    const mine = await events(`userId=${alice}`);
    expect(mine.items.map((event) => event.userId)).toEqual(mine.items.map(() => alice));
    expect(mine.items.map((event) => event.type)).toEqual(
      expect.arrayContaining(['user.created', 'user.extended', 'user.extended']),
    );
    expect(mine.total).toBe(mine.items.length);
    const dates = mine.items.map((event) => Date.parse(event.createdAt));
    expect([...dates].sort((a, b) => b - a)).toEqual(dates);

    const since = new Date(Date.now() - 3_600_000).toISOString();
    const recent = await events(`userId=${alice}&since=${since}`);
    expect(recent.items.every((event) => Date.parse(event.createdAt) >= Date.parse(since))).toBe(true);
    expect(recent.total).toBe(mine.total - 1);
    const until = new Date(Date.now() - 86_400_000).toISOString();
    expect((await events(`userId=${alice}&until=${until}`)).items).toHaveLength(1);
    expect((await events(`userId=${bob}&type=user.extended`)).items).toEqual([]);
  });

  it('refuses a bad user id or instant, naming the field', async () => {
    for (const [query, field] of [
      ['userId=0', 'userId'],
      ['userId=abc', 'userId'],
      ['since=yesterday', 'since'],
      ['until=2027-13-01T00:00:00Z', 'until'],
    ]) {
      const { body } = await t.http().get(`/api/v1/events?${query}`).set(fleet.auth).expect(400);
      expect(body.message.join(' ')).toContain(field);
    }
  });
});
