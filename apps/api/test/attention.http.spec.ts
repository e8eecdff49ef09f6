import { clientOn, startFleet } from './support/fleet';
import { startTestApp, TestApp } from './support/test-app';

type Fleet = Awaited<ReturnType<typeof startFleet>>;

/** `GET /stats/attention`: each thing an operator must look at, counted from the fleet as it is. */
describe('what needs attention', () => {
  let t: TestApp;
  let fleet: Fleet;
  let bot: { Authorization: string };
  const attention = async () => (await t.http().get('/api/v1/stats/attention').set(fleet.auth).expect(200)).body;

  beforeAll(async () => {
    t = await startTestApp();
    fleet = await startFleet(t, [{ node: { maxUsers: 10 } }]);
    bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
  });
  afterAll(async () => {
    await t.close();
    await fleet.stop();
  });

  it('counts expiring users, nodes left drifting, waiting seats and failed jobs, and sums them', async () => {
    expect(await attention()).toEqual({
      nodesDown: 0,
      failoversStalled: 0,
      nodesWithDrift: 0,
      jobsFailed: 0,
      usersExpiringSoon: 0,
      seatsWaiting: 0,
      total: 0,
    });

    const soon = new Date(Date.now() + 24 * 3600_000).toISOString();
    const { body: key } = await t.http().put('/api/v1/keys/5501').set(bot).send({ plan: { expiresAt: soon } });
    await t.http().put('/api/v1/keys/5502').set(bot).send({}).expect(201);

    // A client gone from its panel, seen by a dry-run reconcile (nothing repaired).
    const [{ client_email: email }] = await t.dataSource.query(
      `SELECT client_email FROM assignments WHERE user_id = $1 AND state = 'active'`,
      [key.userId],
    );
    const panel = fleet.panels[0];
    panel.state.deleteClient(1, String(clientOn(panel, email)!['id']));
    await t.http().post(`/api/v1/nodes/${fleet.nodeIds[0]}/reconcile`).set(fleet.auth).send({ dryRun: true }).expect(200);

    // A group with no node: a plan naming it waits for a seat there.
    const { body: empty } = await t.http().post('/api/v1/groups').set(fleet.auth).send({ name: 'Empty' }).expect(201);
    const [{ id: defaultGroup }] = await t.dataSource.query(`SELECT id FROM node_groups WHERE name = 'default'`);
    await t
      .http()
      .put('/api/v1/keys/5503')
      .set(bot)
      .send({ plan: { groups: [defaultGroup, empty.id] } })
      .expect(201);

    // A job that ended failed an hour ago, and one from two days ago (no longer news).
    await t.dataSource.query(
      `INSERT INTO jobs (kind, status, created_by, finished_at, error)
       VALUES ('rebalance', 'failed', 'test', now() - interval '1 hour', 'x'),
              ('rebalance', 'failed', 'test', now() - interval '2 days', 'x')`,
    );

    expect(await attention()).toEqual({
      nodesDown: 0,
      failoversStalled: 0,
      nodesWithDrift: 1,
      jobsFailed: 1,
      usersExpiringSoon: 1,
      seatsWaiting: 1,
      total: 4,
    });
    // The repair clears the drift.
    await t.http().post(`/api/v1/nodes/${fleet.nodeIds[0]}/reconcile`).set(fleet.auth).send({}).expect(200);
    expect(await attention()).toMatchObject({ nodesWithDrift: 0, total: 3 });
  });

  it('is for admins and viewers: the bot gets 403, strangers 401', async () => {
    const viewer = { Authorization: `Bearer ${await t.tokenFor('viewer')}` };
    await t.http().get('/api/v1/stats/attention').set(viewer).expect(200);
    expect((await t.http().get('/api/v1/stats/attention').set(bot).expect(403)).body.code).toBe('FORBIDDEN');
    await t.http().get('/api/v1/stats/attention').expect(401);
    await t.http().get('/api/v1/stats/attention').set({ Authorization: 'Bearer nope' }).expect(401);
  });
});
