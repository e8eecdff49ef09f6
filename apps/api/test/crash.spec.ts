import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { PanelSimulator } from '@fleet/panel-sim';
import { dataSourceOptions } from '../src/common/database/data-source.options';
import { checkInvariants, fleetEmails } from './support/fleet';
import { addPanelsAsNodes, bootBuiltApp, Started, stopped } from './support/process';
import { createTestDatabase } from './support/test-database';

/**
 * Kills the real process (SIGKILL) between the steps of a placement and of a move, restarts it, and checks that
 * recovery ends with every user active exactly once on a node whose panel has the client, counters equal to the
 * rows, and no client left behind except under a tombstone.
 */
describe('crash at every step of placement and migration (built app, SIGKILL, restart)', () => {
  let database: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;
  let panels: PanelSimulator[];
  let running: Started | null = null;
  const workDir = mkdtempSync(join(tmpdir(), 'fleet-crash-'));

  beforeEach(async () => {
    database = await createTestDatabase();
    panels = await Promise.all([0, 1, 2, 3].map((i) => new PanelSimulator({ tag: `c${i}` }).start()));
  });
  afterEach(async () => {
    if (running) {
      running.child.kill('SIGKILL');
      await stopped(running.child);
      running = null;
    }
    if (dataSource?.isInitialized) await dataSource.destroy();
    await Promise.all(panels.map((panel) => panel.stop()));
    await database.drop();
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  async function boot(crashPoint?: string): Promise<{ api: ReturnType<typeof request>; auth: Record<string, string> }> {
    const booted = await bootBuiltApp({
      cwd: workDir,
      databaseUrl: database.url,
      crashPoint,
      env: { PENDING_TIMEOUT_SECONDS: '1' },
    });
    running = booted.running;
    return booted;
  }

  const addNodes = (api: ReturnType<typeof request>, auth: Record<string, string>) =>
    addPanelsAsNodes(api, auth, panels.slice(0, 2), 'crash');

  type Api = ReturnType<typeof request>;

  /** `count` users from telegram id `first`, all placed on the first node (the second one is in maintenance). */
  async function placeOnFirstNode(
    api: Api,
    auth: Record<string, string>,
    nodeIds: number[],
    first: number,
    count: number,
  ) {
    await api.patch(`/api/v1/nodes/${nodeIds[1]}`).set(auth).send({ status: 'maintenance' }).expect(200);
    for (let i = 0; i < count; i++)
      await api
        .put(`/api/v1/keys/${first + i}`)
        .set(auth)
        .send({})
        .expect(201);
    await api.patch(`/api/v1/nodes/${nodeIds[1]}`).set(auth).send({ status: 'active' }).expect(200);
  }

  /** The first node's panel stops answering; the third check starts the failover (its first move may crash). */
  async function failFirstNode(api: Api, auth: Record<string, string>, nodeIds: number[]) {
    await panels[0].setFault({ kind: 'refuse' });
    for (let i = 0; i < 3; i++) {
      await api
        .post(`/api/v1/nodes/${nodeIds[0]}/check-health`)
        .set(auth)
        .then(
          () => undefined,
          () => undefined,
        );
    }
  }

  /** The newest job, once completed (or as it is after 45 s). */
  async function completedJob(api: Api, auth: Record<string, string>, path = '/api/v1/jobs') {
    const deadline = Date.now() + 45_000;
    for (;;) {
      const { body } = await api.get(path).set(auth).expect(200);
      const job = body.items ? body.items[0] : body;
      if (job.status === 'completed' || Date.now() > deadline) return job;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Nodes 0–1 in `default`, 2–3 in a second group new users get too: every user holds two seats. */
  async function addTwoGroups(api: ReturnType<typeof request>, auth: Record<string, string>): Promise<number[]> {
    const { body: group } = await api
      .post('/api/v1/groups')
      .set(auth)
      .send({ name: 'Germany', countryCode: 'DE', defaultForNewUsers: true })
      .expect(201);
    return [
      ...(await addNodes(api, auth)),
      ...(await addPanelsAsNodes(api, auth, panels.slice(2), 'crash-de', { groupId: group.id })),
    ];
  }

  async function crashed(): Promise<void> {
    await stopped(running!.child);
    expect(running!.child.signalCode).toBe('SIGKILL');
    running = null;
  }

  /** Restarts without the crash point and waits until recovery has resolved every pending row. */
  async function recover(
    nodeIds: number[],
  ): Promise<{ api: ReturnType<typeof request>; auth: Record<string, string> }> {
    const booted = await boot();
    dataSource = new DataSource(dataSourceOptions(database.url, 2));
    await dataSource.initialize();
    const deadline = Date.now() + 45_000;
    let lastError: unknown = null;
    while (Date.now() < deadline) {
      try {
        await checkInvariants({ dataSource }, new Map(nodeIds.map((id, i) => [id, panels[i]])));
        return booted;
      } catch (error) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    throw lastError;
  }

  it.each(['placement:reserved', 'placement:client-created'])('placement, crash at %s', async (point) => {
    const { api, auth } = await boot(point);
    const nodeIds = await addNodes(api, auth);
    const bot = auth;
    await expect(api.put('/api/v1/keys/501').set(bot).send({})).rejects.toThrow();
    await crashed();

    const after = await recover(nodeIds);
    const { status, body } = await after.api.put('/api/v1/keys/501').set(after.auth).send({});
    expect([200, 201]).toContain(status);
    expect(panels.flatMap((panel) => fleetEmails(panel))).toEqual([`u${body.userId}-n${body.node.id}`]);
    await checkInvariants({ dataSource }, new Map(nodeIds.map((id, i) => [id, panels[i]])));
  });

  it.each(['move:reserved', 'move:client-created', 'move:switched'])('migration, crash at %s', async (point) => {
    const { api, auth } = await boot(point);
    const nodeIds = await addNodes(api, auth);
    const placed = (await api.put('/api/v1/keys/601').set(auth).send({}).expect(201)).body;
    const target = nodeIds.find((id) => id !== placed.node.id)!;
    await expect(
      api.post(`/api/v1/users/${placed.userId}/migrate`).set(auth).send({ nodeId: target }),
    ).rejects.toThrow();
    await crashed();

    const after = await recover(nodeIds);
    const rows = await dataSource.query(`SELECT node_id FROM assignments WHERE state = 'active'`);
    expect(rows).toHaveLength(1);
    // Right after recovery: the active client exists, and any other client of the user is under a tombstone.
    const active = `u${placed.userId}-n${rows[0].node_id}`;
    const tombstoned = (await dataSource.query(`SELECT client_email FROM panel_tombstones`)).map(
      (row: { client_email: string }) => row.client_email,
    );
    const clients = panels.flatMap((panel) => fleetEmails(panel));
    expect(clients).toContain(active);
    expect(clients.filter((email) => email !== active).every((email) => tombstoned.includes(email))).toBe(true);
    // Either the move completed (client only on the target, once the tombstone ran) or it was rolled back.
    await after.api.post(`/api/v1/nodes/${placed.node.id}/check-health`).set(after.auth).expect(200);
    const settled = panels.flatMap((panel) => fleetEmails(panel));
    expect(settled).toEqual([active]);
    await checkInvariants({ dataSource }, new Map(nodeIds.map((id, i) => [id, panels[i]])));
  });

  it('a rebalance job killed mid-way resumes after the restart and finishes', async () => {
    const { api, auth } = await boot('bulk:switched');
    const nodeIds = await addNodes(api, auth);
    await placeOnFirstNode(api, auth, nodeIds, 700, 6);
    const { body } = await api.post('/api/v1/balancer/rebalance').set(auth).send({ dryRun: false }).expect(202);
    await crashed(); // the job's first move reaches the crash point

    const after = await recover(nodeIds);
    const job = await completedJob(after.api, after.auth, `/api/v1/jobs/${body.jobId}`);
    expect(job).toMatchObject({ status: 'completed', total: 3, done: 3 });
    const loads = (await after.api.get('/api/v1/balancer/loads').set(after.auth).expect(200)).body;
    expect(loads.map((l: { currentUsers: number }) => l.currentUsers)).toEqual([3, 3]);
    await after.api.post(`/api/v1/nodes/${nodeIds[0]}/check-health`).set(after.auth).expect(200);
    await checkInvariants({ dataSource }, new Map(nodeIds.map((id, i) => [id, panels[i]])));
  });

  it('a failover killed mid-way resumes after the restart; every user ends active once on the healthy node', async () => {
    const { api, auth } = await boot('bulk:clients-created');
    const nodeIds = await addNodes(api, auth);
    await placeOnFirstNode(api, auth, nodeIds, 800, 5);
    await failFirstNode(api, auth, nodeIds);
    await crashed();

    const after = await recover(nodeIds);
    expect(await completedJob(after.api, after.auth)).toMatchObject({ kind: 'failover', status: 'completed', done: 5 });
    const rows = await dataSource.query(
      `SELECT node_id, count(*)::int AS n FROM assignments WHERE state = 'active' GROUP BY node_id`,
    );
    expect(rows).toEqual([{ node_id: nodeIds[1], n: 5 }]);
    await checkInvariants({ dataSource }, new Map(nodeIds.map((id, i) => [id, panels[i]])));

    await panels[0].setFault({ kind: 'none' });
    for (let i = 0; i < 2; i++)
      await after.api.post(`/api/v1/nodes/${nodeIds[0]}/check-health`).set(after.auth).expect(200);
    expect(fleetEmails(panels[0])).toEqual([]);
  });

  it.each(['placement:reserved', 'placement:client-created'])(
    'placement of two seats (two groups), crash at %s',
    async (point) => {
      const { api, auth } = await boot(point);
      const nodeIds = await addTwoGroups(api, auth);
      await expect(api.put('/api/v1/keys/901').set(auth).send({})).rejects.toThrow();
      await crashed();

      const after = await recover(nodeIds);
      const { status, body } = await after.api.put('/api/v1/keys/901').set(after.auth).send({});
      expect([200, 201]).toContain(status);
      expect(body.keys.map((seat: { group: { name: string } }) => seat.group.name)).toEqual(['default', 'Germany']);
      const emails = body.keys.map((seat: { node: { id: number } }) => `u${body.userId}-n${seat.node.id}`);
      expect(panels.flatMap((panel) => fleetEmails(panel)).sort()).toEqual(emails.sort());
      await checkInvariants({ dataSource }, new Map(nodeIds.map((id, i) => [id, panels[i]])));
    },
  );

  it('a failover of users holding two seats, killed mid-way, moves only the fallen group’s seats', async () => {
    const { api, auth } = await boot('bulk:clients-created');
    const nodeIds = await addTwoGroups(api, auth);
    await placeOnFirstNode(api, auth, nodeIds, 950, 4);
    const seatsOutside = () =>
      dataSource.query(
        `SELECT user_id, node_id FROM assignments WHERE state = 'active' AND node_id = ANY($1::int[]) ORDER BY 1`,
        [nodeIds.slice(2)],
      );
    await failFirstNode(api, auth, nodeIds);
    await crashed();

    const after = await recover(nodeIds);
    const german = await seatsOutside();
    expect(german).toHaveLength(4);
    expect(await completedJob(after.api, after.auth)).toMatchObject({ kind: 'failover', status: 'completed', done: 4 });
    const rows = await dataSource.query(
      `SELECT node_id, count(*)::int AS n FROM assignments
        WHERE state = 'active' AND node_id = ANY($1::int[]) GROUP BY node_id`,
      [nodeIds.slice(0, 2)],
    );
    expect(rows).toEqual([{ node_id: nodeIds[1], n: 4 }]);
    expect(await seatsOutside()).toEqual(german);
    await checkInvariants({ dataSource }, new Map(nodeIds.map((id, i) => [id, panels[i]])));
  });
});
