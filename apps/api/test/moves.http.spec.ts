import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { PanelSimulator } from '@fleet/panel-sim';
import { signature } from '../src/modules/outbox/webhook-outbox.service';
import {
  checkHealth,
  checkInvariants,
  eventually,
  fleetEmails,
  patchNodes,
  placeUsers,
  startFleet,
} from './support/fleet';
import { startTestApp, TestApp } from './support/test-app';

type Fleet = Awaited<ReturnType<typeof startFleet>>;
const WEBHOOK_SECRET = 'webhook-secret-for-tests';

/** Receives webhooks; answers 500 to the first `failFirst` deliveries. */
async function startReceiver(failFirst = 0) {
  const received: Array<{ body: string; headers: Record<string, unknown> }> = [];
  let calls = 0;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      calls++;
      if (calls <= failFirst) {
        response.writeHead(500).end();
        return;
      }
      received.push({ body, headers: request.headers });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    calls: () => calls,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('moving users: migrate, tombstones, webhooks, rebalance, node deletion, adoption', () => {
  let t: TestApp;
  let fleet: Fleet;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let bot: { Authorization: string };
  const byNode = () => new Map(fleet.nodeIds.map((id, i) => [id, fleet.panels[i]] as [number, PanelSimulator]));
  const place = (count: number, from = 1) => placeUsers(t, bot, from, count);

  beforeEach(async () => {
    receiver = await startReceiver(1);
    t = await startTestApp({
      env: { WEBHOOK_URL: receiver.url, WEBHOOK_SECRET, BACKGROUND_TICK_MS: '100', JOB_CONCURRENCY: '8' },
    });
    fleet = await startFleet(t, [{ node: { maxUsers: 50 } }, { node: { maxUsers: 50 } }, { node: { maxUsers: 50 } }]);
    bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
  });
  afterEach(async () => {
    await t.close();
    await fleet.stop();
    await receiver.stop();
  });

  it('migrates one user make-before-break, same UUID, and tells the bot by a signed webhook (retried)', async () => {
    const [user] = await place(1);
    const target = fleet.nodeIds.find((id) => id !== user.node.id)!;
    const { body } = await t
      .http()
      .post(`/api/v1/users/${user.userId}/migrate`)
      .set(fleet.auth)
      .send({ nodeId: target })
      .expect(200);
    expect(body).toMatchObject({ id: user.userId, node: { id: target }, sourceCleaned: true });
    const source = fleet.panels[fleet.nodeIds.indexOf(user.node.id)];
    const destination = fleet.panels[fleet.nodeIds.indexOf(target)];
    expect(fleetEmails(source)).toEqual([]);
    expect(fleetEmails(destination)).toEqual([`u${user.userId}-n${target}`]);
    await checkInvariants(t, byNode());

    const delivered = await eventually(
      async () => receiver.received,
      (list) => list.length > 0,
    );
    expect(receiver.calls()).toBeGreaterThanOrEqual(2); // the first attempt got a 500
    const hook = delivered[0];
    const timestamp = Number(hook.headers['x-signature-timestamp']);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(120);
    expect(hook.headers['x-signature']).toBe(signature(WEBHOOK_SECRET, timestamp, hook.body));
    expect(JSON.parse(hook.body)).toMatchObject({
      type: 'user.migrated',
      data: { userId: user.userId, telegramId: 1, fromNodeId: user.node.id, toNodeId: target, reason: 'manual' },
    });
  });

  it('source unreachable: the move completes and a tombstone removes the client when the node is back', async () => {
    const [user] = await place(1);
    const sourceIndex = fleet.nodeIds.indexOf(user.node.id);
    const target = fleet.nodeIds.find((id) => id !== user.node.id)!;
    await fleet.panels[sourceIndex].setFault({ kind: 'refuse' });
    const { body } = await t
      .http()
      .post(`/api/v1/users/${user.userId}/migrate`)
      .set(fleet.auth)
      .send({ nodeId: target })
      .expect(200);
    expect(body.sourceCleaned).toBe(false);
    expect(fleetEmails(fleet.panels[sourceIndex])).toEqual([`u${user.userId}-n${user.node.id}`]);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM panel_tombstones`);
    expect(n).toBe(1);
    await checkInvariants(t, byNode());

    await fleet.panels[sourceIndex].setFault({ kind: 'none' });
    await checkHealth(t, fleet.auth, user.node.id);
    expect(fleetEmails(fleet.panels[sourceIndex])).toEqual([]);
    const [{ left }] = await t.dataSource.query(`SELECT count(*)::int AS left FROM panel_tombstones`);
    expect(left).toBe(0);
  });

  it('migrate: bad input, unknown user, ineligible or same node, viewer refused', async () => {
    const [user] = await place(1);
    const migrate = (id: unknown, body: unknown, auth = fleet.auth) =>
      t
        .http()
        .post(`/api/v1/users/${id}/migrate`)
        .set(auth)
        .send(body as object);
    expect((await migrate(user.userId, {}).expect(400)).body.message).toEqual(
      expect.arrayContaining([expect.stringContaining('nodeId')]),
    );
    await migrate(user.userId, { nodeId: 'x' }).expect(400);
    await migrate('abc', { nodeId: 1 }).expect(400);
    await migrate(999, { nodeId: fleet.nodeIds[0] }).expect(404);
    await migrate(user.userId, { nodeId: 999 }).expect(404);
    await migrate(user.userId, { nodeId: user.node.id }).expect(409);
    const other = fleet.nodeIds.find((id) => id !== user.node.id)!;
    await t.http().patch(`/api/v1/nodes/${other}`).set(fleet.auth).send({ status: 'maintenance' }).expect(200);
    expect((await migrate(user.userId, { nodeId: other }).expect(409)).body.code).toBe('NODE_NOT_ELIGIBLE');
    await migrate(user.userId, { nodeId: other }, { Authorization: `Bearer ${await t.tokenFor('viewer')}` }).expect(
      403,
    );
    await t.http().post(`/api/v1/users/${user.userId}/migrate`).send({ nodeId: other }).expect(401);
    await checkInvariants(t, byNode());
  });

  it('rebalance: dry-run plan with the fewest moves, then a job that carries it out', async () => {
    await patchNodes(t, fleet.auth, fleet.nodeIds.slice(1), { status: 'maintenance' });
    await place(30);
    await patchNodes(t, fleet.auth, fleet.nodeIds.slice(1), { status: 'active' });
    const plan = (await t.http().post('/api/v1/balancer/rebalance').set(fleet.auth).send({ dryRun: true }).expect(200))
      .body;
    expect(plan.minimumMoves).toBe(20);
    expect(plan.moves).toHaveLength(20);
    expect(plan.after.map((n: { users: number }) => n.users)).toEqual([10, 10, 10]);
    const capped = (
      await t.http().post('/api/v1/balancer/rebalance').set(fleet.auth).send({ dryRun: true, maxMoves: 4 }).expect(200)
    ).body;
    expect(capped.moves).toHaveLength(4);
    const [from, ...to] = fleet.nodeIds;
    expect(plan.movesTotal).toBe(20);
    expect(plan.flows).toEqual(to.map((toNodeId) => ({ fromNodeId: from, toNodeId, count: 10 })));
    // pages of the moves are that part of the whole plan
    const pages = [];
    for (const movesPage of [1, 2, 3]) {
      const page = await t
        .http()
        .post('/api/v1/balancer/rebalance')
        .set(fleet.auth)
        .send({ dryRun: true, movesPage, movesLimit: 8 })
        .expect(200);
      expect(page.body.movesTotal).toBe(20);
      pages.push(...page.body.moves);
    }
    expect(pages).toEqual(plan.moves);
    expect(new Set(pages.map((move: { userId: number }) => move.userId)).size).toBe(20);
    for (const bad of [{ movesPage: 0 }, { movesLimit: 10_001 }, { movesLimit: 'all' }]) {
      const refused = await t
        .http()
        .post('/api/v1/balancer/rebalance')
        .set(fleet.auth)
        .send({ dryRun: true, ...bad })
        .expect(400);
      expect(refused.body.message.join(' ')).toContain(Object.keys(bad)[0]);
    }

    const { body } = await t
      .http()
      .post('/api/v1/balancer/rebalance')
      .set(fleet.auth)
      .send({ dryRun: false })
      .expect(202);
    const job = await eventually(
      async () => (await t.http().get(`/api/v1/jobs/${body.jobId}`).set(fleet.auth).expect(200)).body,
      (view) => view.status === 'completed',
    );
    expect(job).toMatchObject({ kind: 'rebalance', total: 20, done: 20, failed: 0 });
    const loads = (await t.http().get('/api/v1/balancer/loads').set(fleet.auth).expect(200)).body;
    expect(loads.map((l: { currentUsers: number }) => l.currentUsers)).toEqual([10, 10, 10]);
    await checkInvariants(t, byNode());
    const jobs = (await t.http().get('/api/v1/jobs').set(fleet.auth).expect(200)).body;
    expect(jobs.items[0].id).toBe(body.jobId);

    await t.http().post('/api/v1/balancer/rebalance').set(fleet.auth).send({}).expect(400);
    await t.http().post('/api/v1/balancer/rebalance').set(fleet.auth).send({ dryRun: true, maxMoves: -1 }).expect(400);
    await t.http().get('/api/v1/jobs/9999').set(fleet.auth).expect(404);
  });

  it('deleting a node moves its users first (job), then deletes it; 409 when they cannot all be placed', async () => {
    const users = await place(12);
    const victim = users[0].node.id;
    const onVictim = users.filter((u) => u.node.id === victim).length;
    // Ids in any other spelling are refused, not read as the node's id.
    for (const spelling of [`0x${victim.toString(16)}`, `+${victim}`, `%20${victim}`, `${victim}e0`, `0${victim}`]) {
      await t.http().delete(`/api/v1/nodes/${spelling}`).set(fleet.auth).expect(400);
    }
    // Two deletions at once start one job, and both callers are told its id.
    const [first, second] = await Promise.all([
      t.http().delete(`/api/v1/nodes/${victim}`).set(fleet.auth),
      t.http().delete(`/api/v1/nodes/${victim}`).set(fleet.auth),
    ]);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.jobId).toBe(first.body.jobId);
    const body = first.body;
    const [{ n: deleteJobs }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM jobs WHERE kind = 'node-delete'`,
    );
    expect(deleteJobs).toBe(1);
    const job = await eventually(
      async () => (await t.http().get(`/api/v1/jobs/${body.jobId}`).set(fleet.auth).expect(200)).body,
      (view) => view.status !== 'pending' && view.status !== 'running',
    );
    expect(job).toMatchObject({ kind: 'node-delete', status: 'completed', total: onVictim, done: onVictim });
    await t.http().get(`/api/v1/nodes/${victim}`).set(fleet.auth).expect(404);
    const remaining = new Map([...byNode()].filter(([id]) => id !== victim));
    await checkInvariants(t, remaining);

    // 2 nodes × 50 seats; fill one node past what the other can take, then refuse its deletion
    const [keep, full] = [...remaining.keys()];
    await t.http().patch(`/api/v1/nodes/${keep}`).set(fleet.auth).send({ maxUsers: 10 }).expect(200);
    await place(20, 1000);
    const before = (await t.http().get('/api/v1/balancer/loads').set(fleet.auth).expect(200)).body;
    const refused = await t.http().delete(`/api/v1/nodes/${full}`).set(fleet.auth).expect(409);
    expect(refused.body.message.join(' ')).toContain('nothing was deleted');
    expect((await t.http().get('/api/v1/balancer/loads').set(fleet.auth).expect(200)).body).toEqual(before);
  });

  it('adopts the clients already on a panel as users of that node, once', async () => {
    const panel = fleet.panels[0];
    const nodeId = fleet.nodeIds[0];
    const inbound = panel.state.findInbound(1)!;
    panel.state.append(
      inbound,
      [
        {
          id: '11111111-2222-4333-8444-555555555555',
          email: 'old-alice',
          tgId: 777,
          comment: 'alice',
          expiryTime: Date.parse('2027-03-01T00:00:00Z'),
          totalGB: 50e9,
          limitIp: 2,
          enable: true,
        },
        { id: 'not-a-uuid', email: 'old-bob', tgId: '', expiryTime: -7 * 86_400_000, enable: false },
      ],
      Date.now(),
    );
    const first = (await t.http().post(`/api/v1/nodes/${nodeId}/adopt`).set(fleet.auth).expect(200)).body;
    expect(first).toEqual({ imported: 3, skipped: 0 }); // the seeded client, alice, bob
    expect((await t.http().post(`/api/v1/nodes/${nodeId}/adopt`).set(fleet.auth).expect(200)).body).toEqual({
      imported: 0,
      skipped: 3,
    });
    const users = (await t.http().get(`/api/v1/nodes/${nodeId}/users`).set(fleet.auth).expect(200)).body;
    expect(users.total).toBe(3);
    const alice = users.items.find((u: { clientEmail: string }) => u.clientEmail === 'old-alice');
    expect(alice).toMatchObject({ telegramId: 777, uuid: '11111111-2222-4333-8444-555555555555', source: 'adopted' });
    // Plans come along: expiry, limit, devices; a negative expiry is a plan on hold; a disabled client stays off.
    expect(alice.access).toMatchObject({
      status: 'active',
      expiresAt: '2027-03-01T00:00:00.000Z',
      trafficLimitBytes: 50e9,
      deviceLimit: 2,
    });
    const bob = users.items.find((u: { clientEmail: string }) => u.clientEmail === 'old-bob');
    expect(bob.access).toMatchObject({ status: 'disabled', enabled: false, holdDays: 7, expiresAt: null });
    const [{ behind }] = await t.dataSource.query(
      `SELECT count(*)::int AS behind FROM assignments a JOIN vpn_users u ON u.id = a.user_id
        WHERE a.state = 'active' AND a.access_version < u.access_version`,
    );
    expect(behind).toBe(0); // the adopted clients are left as they are
    const key = (await t.http().get('/api/v1/keys/777').set(bot).expect(200)).body;
    expect(key.key).toContain('11111111-2222-4333-8444-555555555555@');
    const loads = (await t.http().get('/api/v1/balancer/loads').set(fleet.auth).expect(200)).body;
    expect(loads[0].currentUsers).toBe(3);
    const search = (await t.http().get('/api/v1/users?search=alice').set(fleet.auth).expect(200)).body;
    expect(search.items.map((u: { id: number }) => u.id)).toEqual([alice.id]);
    // The UUID is the credential inside the share link: viewers never see it.
    const viewer = { Authorization: `Bearer ${await t.tokenFor('viewer')}` };
    for (const path of ['/api/v1/users', `/api/v1/users/${alice.id}`, `/api/v1/nodes/${nodeId}/users`]) {
      const text = (await t.http().get(path).set(viewer).expect(200)).text;
      expect(text).not.toContain('11111111-2222-4333-8444-555555555555');
      expect(text).not.toContain('"uuid"');
    }
    await t.http().post('/api/v1/nodes/999/adopt').set(fleet.auth).expect(404);
  });

  it('lists users a page of ids at a time, with their node and never its secrets; filters and totals agree', async () => {
    const keys = await place(12, 5000);
    const list = async (query: string) =>
      (await t.http().get(`/api/v1/users?${query}`).set(fleet.auth).expect(200)).body;
    const all = await list('limit=500');
    expect(all).toMatchObject({ total: 12, totalEstimated: false, page: 1 });
    const pages = [...(await list('limit=5&page=1')).items, ...(await list('limit=5&page=2')).items];
    pages.push(...(await list('limit=5&page=3')).items);
    expect(pages.map((u: { id: number }) => u.id)).toEqual(all.items.map((u: { id: number }) => u.id));
    const nodeId = keys[0].node.id;
    const onNode = await list(`nodeId=${nodeId}&limit=500`);
    expect(onNode.total).toBe(keys.filter((key) => key.node.id === nodeId).length);
    expect(onNode.items.every((u: { node: { id: number } }) => u.node.id === nodeId)).toBe(true);
    expect(onNode.items[0].node).toEqual({ id: nodeId, name: expect.any(String), location: expect.any(String) });
    expect((await list('search=5003')).items).toHaveLength(1);
    // by key: each page's nextCursor leads to the next one; the last page has none
    const byKey: number[] = [];
    for (let cursor: string | null = ''; cursor !== null; ) {
      const page = await list(`limit=5${cursor ? `&after=${cursor}` : ''}`);
      expect(page.total).toBe(12);
      byKey.push(...page.items.map((u: { id: number }) => u.id));
      cursor = page.nextCursor;
    }
    expect(byKey).toEqual(all.items.map((u: { id: number }) => u.id));
    const nodePage = (await t.http().get(`/api/v1/nodes/${nodeId}/users?limit=1`).set(fleet.auth).expect(200)).body;
    const nodeNext = await t
      .http()
      .get(`/api/v1/nodes/${nodeId}/users?limit=500&after=${nodePage.nextCursor}`)
      .set(fleet.auth)
      .expect(200);
    expect([...nodePage.items, ...nodeNext.body.items].map((u: { id: number }) => u.id)).toEqual(
      onNode.items.map((u: { id: number }) => u.id),
    );
    for (const after of ['0', '-1', 'x', '2147483648']) {
      const bad = await t.http().get(`/api/v1/users?after=${after}`).set(fleet.auth).expect(400);
      expect(bad.body.message.join(' ')).toContain('after');
    }
    const text = (await t.http().get('/api/v1/users?limit=500').set(fleet.auth).expect(200)).text;
    expect(text).not.toMatch(/panel_?[pP]assword|inboundSnapshot/);
  });

  it('lists jobs newest first, by page or by key, with bad cursors refused', async () => {
    await t.dataSource.query(
      `INSERT INTO jobs (kind, status, created_by, finished_at)
       SELECT 'rebalance', 'completed', 'admin:test', now() FROM generate_series(1, 7)`,
    );
    const list = async (query: string) =>
      (await t.http().get(`/api/v1/jobs?${query}`).set(fleet.auth).expect(200)).body;
    const all = await list('limit=500');
    expect(all).toMatchObject({ total: 7, totalEstimated: false, nextCursor: null });
    const ids = all.items.map((job: { id: number }) => job.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const byKey: number[] = [];
    for (let cursor: string | null = ''; cursor !== null; ) {
      const page = await list(`limit=3${cursor ? `&after=${cursor}` : ''}`);
      byKey.push(...page.items.map((job: { id: number }) => job.id));
      cursor = page.nextCursor;
    }
    expect(byKey).toEqual(ids);
    expect((await list('limit=3&page=3')).items.map((job: { id: number }) => job.id)).toEqual(ids.slice(6));
    await t.http().get('/api/v1/jobs?after=abc').set(fleet.auth).expect(400);
    await t.http().get('/api/v1/jobs').expect(401);
  });
});
