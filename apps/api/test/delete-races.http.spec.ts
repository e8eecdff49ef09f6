import { PanelSimulator } from '@fleet/panel-sim';
import { checkInvariants, eventually, fleetEmails, patchNodes, placeUsers, startFleet } from './support/fleet';
import { startTestApp, TestApp } from './support/test-app';

type Fleet = Awaited<ReturnType<typeof startFleet>>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A user deleted while a move of it is under way: the move is cancelled at once (no pending row left for recovery to
 * find a minute later, the seat given back, the client created for it removed) and a job that was moving the user
 * counts it as done (gone) instead of retrying it until it fails.
 */
describe('deleting a user while it moves (real HTTP, PostgreSQL, simulated panels)', () => {
  let t: TestApp;
  let fleet: Fleet;
  let bot: { Authorization: string };
  const byNode = () => new Map(fleet.nodeIds.map((id, i) => [id, fleet.panels[i]] as [number, PanelSimulator]));
  const pendingRows = async (userIds: number[]) =>
    (
      await t.dataSource.query(
        `SELECT count(*)::int AS n FROM assignments WHERE state = 'pending' AND user_id = ANY($1::int[])`,
        [userIds],
      )
    )[0].n as number;
  const clientsOf = (userIds: number[]) =>
    fleet.panels
      .flatMap((panel) => fleetEmails(panel))
      .filter((email) => userIds.some((id) => email.startsWith(`u${id}-`)));

  beforeEach(async () => {
    // The pending timeout stays at its default: nothing here may wait for recovery to notice a row.
    t = await startTestApp({
      env: {
        BACKGROUND_TICK_MS: '100',
        PENDING_TIMEOUT_SECONDS: '60',
        // A job moves one user at a time, so a test can delete one while it moves and another before it does.
        JOB_CONCURRENCY: '1',
        JOB_PARALLEL_BATCHES: '1',
      },
    });
    fleet = await startFleet(t, [{ node: { maxUsers: 50 } }, { node: { maxUsers: 50 } }, { node: { maxUsers: 50 } }]);
    bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
  });
  afterEach(async () => {
    await t.close();
    await fleet.stop();
  });

  /** `count` users, all on the first node. */
  async function usersOnFirstNode(count: number, from: number): Promise<number[]> {
    await patchNodes(t, fleet.auth, fleet.nodeIds.slice(1), { status: 'maintenance' });
    const keys = await placeUsers(t, bot, from, count);
    await patchNodes(t, fleet.auth, fleet.nodeIds.slice(1), { status: 'active' });
    expect(keys.every((key) => key.node.id === fleet.nodeIds[0])).toBe(true);
    return keys.map((key) => key.userId);
  }

  it.each([0, 5, 20, 60, 150, 400])(
    'DELETE %i ms into a migrate: deleted at once, no pending row, seat back, no client left',
    async (delayMs) => {
      const [userId] = await usersOnFirstNode(1, 100 + delayMs);
      const target = fleet.nodeIds[1];
      await fleet.panels[1].setFault({ kind: 'none', latencyMs: 300 }); // the move's panel calls take a while
      const migrating = t
        .http()
        .post(`/api/v1/users/${userId}/migrate`)
        .set(fleet.auth)
        .send({ nodeId: target })
        .then((response) => response);
      await sleep(delayMs);
      const deleted = await t.http().delete(`/api/v1/users/${userId}`).set(fleet.auth);
      expect(deleted.status).toBe(204);
      const migrated = await migrating;
      // Either the move finished before the deletion, or it was cancelled because the user is gone.
      expect([200, 404]).toContain(migrated.status);
      expect(await pendingRows([userId])).toBe(0);
      await t.http().get(`/api/v1/users/${userId}`).set(fleet.auth).expect(404);
      const loads = (await t.http().get('/api/v1/balancer/loads').set(fleet.auth).expect(200)).body;
      expect(loads.map((node: { currentUsers: number }) => node.currentUsers)).toEqual([0, 0, 0]);
      await fleet.panels[1].setFault({ kind: 'none' });
      // Whatever client the move created leaves its panel (tombstones, carried out by the loop).
      expect(
        await eventually(
          async () => clientsOf([userId]),
          (left) => left.length === 0,
        ),
      ).toEqual([]);
      await checkInvariants(t, byNode());
    },
  );

  it('users deleted during DELETE /nodes/:id: the job completes without waiting, counts them as gone, the node goes', async () => {
    const users = await usersOnFirstNode(6, 500);
    const victim = fleet.nodeIds[0];
    for (const panel of fleet.panels.slice(1)) await panel.setFault({ kind: 'none', latencyMs: 600 });
    const started = (await t.http().delete(`/api/v1/nodes/${victim}`).set(fleet.auth).expect(202)).body;
    // One user while its move is under way (the first batch), one whose move has not started yet.
    const inFlight = users[0];
    const queued = users[users.length - 1];
    await eventually(
      () => pendingRows([inFlight]),
      (n) => n > 0,
      5000,
    );
    await t.http().delete(`/api/v1/users/${inFlight}`).set(fleet.auth).expect(204);
    await t.http().delete(`/api/v1/users/${queued}`).set(fleet.auth).expect(204);
    expect(await pendingRows([inFlight, queued])).toBe(0);

    const job = await eventually(
      async () => (await t.http().get(`/api/v1/jobs/${started.jobId}`).set(fleet.auth).expect(200)).body,
      (view) => view.status === 'completed' || view.status === 'failed',
      20_000,
    );
    expect(job).toMatchObject({ kind: 'node-delete', status: 'completed', total: 6, done: 6, failed: 0, gone: 2 });
    expect(job.error).toBeNull();
    await t.http().get(`/api/v1/nodes/${victim}`).set(fleet.auth).expect(404);
    for (const panel of fleet.panels.slice(1)) await panel.setFault({ kind: 'none' });
    expect(
      await eventually(
        async () => clientsOf([inFlight, queued]),
        (left) => left.length === 0,
      ),
    ).toEqual([]);
    const remaining = new Map([...byNode()].filter(([id]) => id !== victim));
    await checkInvariants(t, remaining);
  });
});
