import { PanelSimulator } from '@fleet/panel-sim';
import { checkHealth, checkInvariants, eventually, patchNodes, placeUsers, startFleet } from './support/fleet';
import { startTestApp, TestApp } from './support/test-app';

type Fleet = Awaited<ReturnType<typeof startFleet>>;

describe('jobs: busy users, stalls, lease (real HTTP, PostgreSQL, simulated panels)', () => {
  let t: TestApp;
  let fleet: Fleet;
  let bot: { Authorization: string };
  const byNode = () => new Map(fleet.nodeIds.map((id, i) => [id, fleet.panels[i]] as [number, PanelSimulator]));
  const events = async (type: string) =>
    (await t.dataSource.query(`SELECT payload FROM events WHERE type = $1`, [type])) as Array<{ payload: unknown }>;

  beforeEach(async () => {
    t = await startTestApp({
      env: {
        BACKGROUND_TICK_MS: '100',
        PENDING_TIMEOUT_SECONDS: '60',
        JOB_CONCURRENCY: '2',
        JOB_PARALLEL_BATCHES: '1',
      },
    });
    fleet = await startFleet(t, [{ node: { maxUsers: 20 } }, { node: { maxUsers: 20 } }, { node: { maxUsers: 20 } }]);
    bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
  });
  afterEach(async () => {
    await t.close();
    await fleet.stop();
  });

  it('a failover passes over users whose move is under way elsewhere, moves the others, and cries no stall', async () => {
    await patchNodes(t, fleet.auth, fleet.nodeIds.slice(1), { status: 'maintenance' });
    const keys = await placeUsers(t, bot, 300, 6);
    await patchNodes(t, fleet.auth, fleet.nodeIds.slice(1), { status: 'active' });
    // The first two users (the job's first batch) are being moved by another replica that is alive: their pending
    // rows are fresh, so recovery leaves them alone for PENDING_TIMEOUT_SECONDS.
    const busy = keys.slice(0, 2).map((key) => key.userId);
    const elsewhere = fleet.nodeIds[2];
    await t.dataSource.query(
      `INSERT INTO assignments (user_id, node_id, group_id, inbound_id, client_email, state)
       SELECT id, $2::int, (SELECT group_id FROM nodes WHERE id = $2), 1, 'u' || id || '-n' || $2::int, 'pending'
         FROM unnest($1::int[]) AS id`,
      [busy, elsewhere],
    );
    await t.dataSource.query(`UPDATE nodes SET current_users = current_users + 2 WHERE id = $1`, [elsewhere]);

    await fleet.panels[0].setFault({ kind: 'refuse' });
    await checkHealth(t, fleet.auth, fleet.nodeIds[0], 3);
    const [started] = (await t.http().get('/api/v1/jobs').set(fleet.auth).expect(200)).body.items;
    expect(started).toMatchObject({ kind: 'failover', total: 6 });
    const progressed = await eventually(
      async () => (await t.http().get(`/api/v1/jobs/${started.id}`).set(fleet.auth).expect(200)).body,
      (view) => view.done === 4,
      10_000,
    );
    expect(progressed).toMatchObject({ status: 'running', done: 4, failed: 0 });
    expect(progressed.leaseOwner).toMatch(/^.+:\d+:[0-9a-f]{6}$/);
    expect(Date.parse(progressed.leaseExpiresAt)).toBeGreaterThan(Date.now());
    expect(await events('failover.stalled')).toEqual([]);

    // The other mover gives up: the two users are free to move, and the job ends.
    await t.dataSource.query(`DELETE FROM assignments WHERE state = 'pending' AND user_id = ANY($1::int[])`, [busy]);
    await t.dataSource.query(`UPDATE nodes SET current_users = current_users - 2 WHERE id = $1`, [elsewhere]);
    const finished = await eventually(
      async () => (await t.http().get(`/api/v1/jobs/${started.id}`).set(fleet.auth).expect(200)).body,
      (view) => view.status === 'completed',
      15_000,
    );
    expect(finished).toMatchObject({ done: 6, failed: 0, leaseOwner: null, leaseExpiresAt: null });
    expect(await events('failover.stalled')).toEqual([]);
    await checkInvariants(t, new Map([...byNode()].filter(([id]) => id !== fleet.nodeIds[0])));
  });
});
