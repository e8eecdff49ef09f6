import { randomBytes } from 'node:crypto';
import { PanelSimulator, FaultKind } from '@fleet/panel-sim';
import { HealthSweepService } from '../src/modules/health/health-sweep.service';
import { HousekeepingService } from '../src/modules/housekeeping/housekeeping.service';
import {
  checkHealth,
  checkInvariants,
  eventually,
  fleetEmails,
  patchNodes,
  placeUsers,
  startFleet,
} from './support/fleet';
import { nodeBody, startTestApp, TestApp } from './support/test-app';

type Fleet = Awaited<ReturnType<typeof startFleet>>;

describe('health checks, hysteresis, failover and recovery (real HTTP, PostgreSQL, simulated panels)', () => {
  let t: TestApp;
  let fleet: Fleet;
  let bot: { Authorization: string };
  const byNode = () => new Map(fleet.nodeIds.map((id, i) => [id, fleet.panels[i]] as [number, PanelSimulator]));
  const events = async (type: string) =>
    (await t.http().get(`/api/v1/events?type=${type}&limit=100`).set(fleet.auth).expect(200)).body.items;

  beforeEach(async () => {
    t = await startTestApp({ env: { HEALTH_TIMEOUT_MS: '500', BACKGROUND_TICK_MS: '100', JOB_CONCURRENCY: '8' } });
    fleet = await startFleet(t, [
      { node: { maxUsers: 100 } },
      { node: { maxUsers: 100 } },
      { node: { maxUsers: 100 } },
    ]);
    bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
  });
  afterEach(async () => {
    await t.close();
    await fleet.stop();
  });

  it.each<[FaultKind, string]>([
    ['refuse', 'refused'],
    ['hang', 'timeout'],
    ['http500', 'bad response'],
    ['xray-error', 'xray is error'],
    ['bad-credentials', 'auth failed'],
  ])('%s: unhealthy after exactly 3 failed checks, healthy again after 2 good ones', async (kind, error) => {
    const [nodeId, panel] = [fleet.nodeIds[0], fleet.panels[0]];
    await panel.setFault({ kind });
    // Wrong credentials only show at the next login: sessions end (no renewal), so end them now.
    if (kind === 'bad-credentials') await panel.setFault({ kind: 'expire-sessions' });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await checkHealth(t, fleet.auth, nodeId));
    expect(statuses).toEqual(['healthy', 'healthy', 'unhealthy']);
    const node = (await t.http().get(`/api/v1/nodes/${nodeId}`).set(fleet.auth).expect(200)).body;
    expect(node.lastError).toBe(error);
    await panel.setFault({ kind: 'none' });
    expect([await checkHealth(t, fleet.auth, nodeId), await checkHealth(t, fleet.auth, nodeId)]).toEqual([
      'unhealthy',
      'healthy',
    ]);
    expect(await events('node.down')).toHaveLength(1);
    expect(await events('node.up')).toHaveLength(1);
    const history = (await t.http().get(`/api/v1/nodes/${nodeId}/health`).set(fleet.auth).expect(200)).body;
    expect(history.filter((check: { ok: boolean }) => !check.ok)).toHaveLength(3);
    expect(history[0]).toMatchObject({ ok: true, healthStatus: 'healthy', xrayState: 'running' });
    expect(history[1]).toMatchObject({ ok: true, healthStatus: 'unhealthy' });
  });

  it('a node created without an inbound takes its panel’s only usable one; with several it says why it gets no users', async () => {
    const panel = fleet.panels[0];
    for (const inbound of panel.state.inbounds.filter((candidate) => candidate.id !== 3)) inbound.enable = false;
    const created = async (name: string) =>
      (
        await t
          .http()
          .post('/api/v1/nodes')
          .set(fleet.auth)
          .send(
            nodeBody({
              name,
              panelUrl: panel.url,
              panelUsername: panel.username,
              panelPassword: panel.password,
              inboundId: null,
            }),
          )
          .expect(201)
      ).body.id as number;
    const single = await created('single-inbound');
    await checkHealth(t, fleet.auth, single);
    const node = (await t.http().get(`/api/v1/nodes/${single}`).set(fleet.auth).expect(200)).body;
    expect(node).toMatchObject({ inboundId: 3, eligible: true, ineligibleReason: null });
    const [chosen] = (await events('node.updated')).filter((event: { nodeId: number }) => event.nodeId === single);
    expect(chosen).toMatchObject({ actor: 'system:health', payload: { changed: ['inboundId'], inboundId: 3 } });

    for (const inbound of panel.state.inbounds) inbound.enable = true;
    const several = await created('several-inbounds');
    expect(await checkHealth(t, fleet.auth, several)).toBe('healthy');
    const undecided = (await t.http().get(`/api/v1/nodes/${several}`).set(fleet.auth).expect(200)).body;
    expect(undecided).toMatchObject({ inboundId: null, eligible: false, ineligibleReason: 'no inbound chosen' });
  });

  it('health history and events past their retention go at housekeeping, in bounded batches; newer rows stay', async () => {
    const nodeId = fleet.nodeIds[0];
    await t.dataSource.query(
      `INSERT INTO health_checks (node_id, ok, health_status, checked_at)
       SELECT $1, true, 'healthy', now() - interval '8 days' - g * interval '1 second' FROM generate_series(1, 6000) g`,
      [nodeId],
    );
    await t.dataSource.query(
      `INSERT INTO events (type, actor, payload, created_at)
       SELECT 'node.up', 'test', '{}', now() - interval '91 days' - g * interval '1 second' FROM generate_series(1, 10) g`,
    );
    const count = async (sql: string) => (await t.dataSource.query(sql))[0].n as number;
    const recentChecks = await count(
      `SELECT count(*)::int AS n FROM health_checks WHERE checked_at > now() - interval '7 days'`,
    );
    const recentEvents = await count(
      `SELECT count(*)::int AS n FROM events WHERE created_at > now() - interval '90 days'`,
    );
    const housekeeping = t.app.get(HousekeepingService);
    expect(await housekeeping.run()).toEqual({ checks: 5000, events: 10 }); // one batch per run at most
    expect(await housekeeping.run()).toEqual({ checks: 1000, events: 0 });
    expect(
      await count(`SELECT count(*)::int AS n FROM health_checks WHERE checked_at < now() - interval '7 days'`),
    ).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM health_checks`)).toBe(recentChecks);
    expect(await count(`SELECT count(*)::int AS n FROM events`)).toBe(recentEvents);
  });

  it('events page by key (?after=nextCursor): every event once, newest first; a large count is flagged as an estimate', async () => {
    // same-millisecond neighbours: the cursor keeps microseconds and the id
    await t.dataSource.query(
      `INSERT INTO events (type, actor, payload, created_at)
       SELECT 'node.up', 'test', jsonb_build_object('n', g), timestamptz '2026-11-01T00:00:00Z' + (g / 3) * interval '1 microsecond'
         FROM generate_series(1, 120) g`,
    );
    const all = (await t.http().get('/api/v1/events?type=node.up&limit=500').set(fleet.auth).expect(200)).body;
    expect(all).toMatchObject({ total: all.items.length, totalEstimated: false, nextCursor: null });
    type EventsPage = { items: Array<{ id: number }>; nextCursor: string | null };
    const pageAfter = async (after: string | null): Promise<EventsPage> =>
      (
        await t
          .http()
          .get(`/api/v1/events?type=node.up&limit=25${after ? `&after=${after}` : ''}`)
          .set(fleet.auth)
          .expect(200)
      ).body;
    let page = await pageAfter(null);
    const seen = page.items.map((item) => item.id);
    while (page.nextCursor) {
      page = await pageAfter(page.nextCursor);
      seen.push(...page.items.map((item) => item.id));
    }
    expect(seen).toEqual(all.items.map((item: { id: number }) => item.id));
    await t.http().get('/api/v1/events?after=x').set(fleet.auth).expect(400);
    await t.http().get('/api/v1/events?after=1.1').expect(401);

    await t.dataSource.query(
      `INSERT INTO events (type, actor, payload) SELECT 'node.down', 'test', '{}' FROM generate_series(1, 10100)`,
    );
    await t.dataSource.query('ANALYZE events');
    const big = (await t.http().get('/api/v1/events?limit=10').set(fleet.auth).expect(200)).body;
    expect(big.totalEstimated).toBe(true);
    expect(big.total).toBeGreaterThan(10_000);
    const exact = (await t.http().get('/api/v1/events?type=node.up&limit=10').set(fleet.auth).expect(200)).body;
    expect(exact).toMatchObject({ total: all.total, totalEstimated: false });
  });

  it('an expired session is not a failure: the client logs in again', async () => {
    await fleet.panels[0].setFault({ kind: 'expire-sessions' });
    expect(await checkHealth(t, fleet.auth, fleet.nodeIds[0])).toBe('healthy');
    const node = (await t.http().get(`/api/v1/nodes/${fleet.nodeIds[0]}`).set(fleet.auth).expect(200)).body;
    expect(node.lastError).toBeNull();
  });

  it('flapping (fail, pass, fail, pass…) never crosses the threshold: no event, no failover', async () => {
    const [nodeId, panel] = [fleet.nodeIds[0], fleet.panels[0]];
    for (let i = 0; i < 6; i++) {
      await panel.setFault({ kind: i % 3 === 2 ? 'none' : 'refuse' });
      expect(await checkHealth(t, fleet.auth, nodeId)).toBe('healthy');
    }
    await panel.setFault({ kind: 'none' });
    expect(await events('node.down')).toHaveLength(0);
    expect((await t.http().get('/api/v1/jobs').set(fleet.auth).expect(200)).body.total).toBe(0);
  });

  it('failover: a dead node’s users move to healthy nodes, nothing lost or doubled; the revived node is cleaned first', async () => {
    await patchNodes(t, fleet.auth, fleet.nodeIds.slice(1), { status: 'maintenance' });
    const keys = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        t
          .http()
          .put(`/api/v1/keys/${900 + i}`)
          .set(bot)
          .send({}),
      ),
    );
    expect(keys.every((r) => r.status === 201 && r.body.node.id === fleet.nodeIds[0])).toBe(true);
    await patchNodes(t, fleet.auth, fleet.nodeIds.slice(1), { status: 'active' });

    await fleet.panels[0].setFault({ kind: 'refuse' });
    await checkHealth(t, fleet.auth, fleet.nodeIds[0], 3);
    const jobs = (await t.http().get('/api/v1/jobs').set(fleet.auth).expect(200)).body.items;
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ kind: 'failover', nodeId: fleet.nodeIds[0], total: 30 });
    const job = await eventually(
      async () => (await t.http().get(`/api/v1/jobs/${jobs[0].id}`).set(fleet.auth).expect(200)).body,
      (view) => view.status === 'completed',
    );
    expect(job).toMatchObject({ done: 30, failed: 0 });
    const loads = (await t.http().get('/api/v1/balancer/loads').set(fleet.auth).expect(200)).body;
    expect(loads.map((l: { currentUsers: number }) => l.currentUsers)).toEqual([0, 15, 15]);
    expect(fleetEmails(fleet.panels[1]).length + fleetEmails(fleet.panels[2]).length).toBe(30);
    const completed = await events('failover.completed');
    expect(completed[0].payload).toMatchObject({ usersMoved: 30, jobId: jobs[0].id });
    // Keys and subscriptions follow: same UUID, new node
    const moved = (await t.http().get('/api/v1/keys/900').set(bot).expect(200)).body;
    expect(moved.node.id).not.toBe(fleet.nodeIds[0]);
    expect(moved.key.split('@')[0]).toBe(keys[0].body.key.split('@')[0]);

    // The dead panel still holds the 30 old clients; they go before the node serves again.
    expect(fleetEmails(fleet.panels[0])).toHaveLength(30);
    await fleet.panels[0].setFault({ kind: 'none' });
    await checkHealth(t, fleet.auth, fleet.nodeIds[0], 2);
    expect(fleetEmails(fleet.panels[0])).toHaveLength(0);
    expect(
      (await t.http().get(`/api/v1/nodes/${fleet.nodeIds[0]}`).set(fleet.auth).expect(200)).body.healthStatus,
    ).toBe('healthy');
    await checkInvariants(t, byNode());
  });

  it('failover without enough seats moves as many as possible and keeps the rest queued until capacity returns', async () => {
    await patchNodes(t, fleet.auth, fleet.nodeIds.slice(1), { status: 'maintenance' });
    await placeUsers(t, bot, 950, 10);
    await patchNodes(t, fleet.auth, [fleet.nodeIds[1]], { status: 'active', maxUsers: 6 });

    await fleet.panels[0].setFault({ kind: 'refuse' });
    await checkHealth(t, fleet.auth, fleet.nodeIds[0], 3);
    const stalled = await eventually(
      () => events('failover.stalled'),
      (list) => list.length > 0,
    );
    expect(stalled).toHaveLength(1);
    const [job] = (await t.http().get('/api/v1/jobs').set(fleet.auth).expect(200)).body.items;
    expect(job).toMatchObject({ status: 'running', done: 6, failed: 0 });
    const attention = async () => (await t.http().get('/api/v1/stats/attention').set(fleet.auth).expect(200)).body;
    expect(await attention()).toMatchObject({ nodesDown: 1, failoversStalled: 1 });

    await t.http().patch(`/api/v1/nodes/${fleet.nodeIds[2]}`).set(fleet.auth).send({ status: 'active' }).expect(200);
    const finished = await eventually(
      async () => (await t.http().get(`/api/v1/jobs/${job.id}`).set(fleet.auth).expect(200)).body,
      (view) => view.status === 'completed',
    );
    expect(finished).toMatchObject({ done: 10, failed: 0 });
    expect(await attention()).toMatchObject({ nodesDown: 1, failoversStalled: 0 });
  });

  it('drain: maintenance, then a job moves every user off', async () => {
    await placeUsers(t, bot, 980, 9);
    const target = fleet.nodeIds[0];
    const { body } = await t.http().post(`/api/v1/nodes/${target}/drain`).set(fleet.auth).expect(202);
    await eventually(
      async () => (await t.http().get(`/api/v1/jobs/${body.jobId}`).set(fleet.auth).expect(200)).body.status,
      (status) => status === 'completed',
    );
    const node = (await t.http().get(`/api/v1/nodes/${target}`).set(fleet.auth).expect(200)).body;
    expect(node).toMatchObject({ status: 'maintenance', currentUsers: 0 });
    expect(fleetEmails(fleet.panels[0])).toEqual([]);
    expect((await t.http().post(`/api/v1/nodes/${target}/drain`).set(fleet.auth).expect(200)).body).toEqual({
      jobId: null,
    });
    await t.http().post('/api/v1/nodes/999/drain').set(fleet.auth).expect(404);
    await checkInvariants(t, byNode());
  });

  it('history: since filter, bad input, roles', async () => {
    const viewer = { Authorization: `Bearer ${await t.tokenFor('viewer')}` };
    const id = fleet.nodeIds[0];
    await checkHealth(t, fleet.auth, id);
    const since = new Date(Date.now() + 60_000).toISOString();
    expect((await t.http().get(`/api/v1/nodes/${id}/health?since=${since}`).set(viewer).expect(200)).body).toEqual([]);
    expect(
      (await t.http().get(`/api/v1/nodes/${id}/health?since=yesterday`).set(viewer).expect(400)).body.message,
    ).toEqual(expect.arrayContaining([expect.stringContaining('since')]));
    await t.http().get('/api/v1/nodes/999/health').set(viewer).expect(404);
    await checkHealth(t, fleet.auth, id);
    expect((await t.http().get(`/api/v1/nodes/${id}/health?limit=1`).set(viewer).expect(200)).body).toHaveLength(1);
    for (const limit of ['0', '1001', '1.5', 'x']) {
      const bad = await t.http().get(`/api/v1/nodes/${id}/health?limit=${limit}`).set(viewer).expect(400);
      expect(bad.body.message).toEqual(expect.arrayContaining([expect.stringContaining('limit')]));
    }
    await t.http().post(`/api/v1/nodes/${id}/check-health`).set(viewer).expect(403);
    await t.http().post(`/api/v1/nodes/${id}/check-health`).expect(401);
    await t.http().post('/api/v1/nodes/abc/check-health').set(fleet.auth).expect(400);
  });

  it('recent health: the fleet per step from its sweeps, each node for a small fleet; bad input and roles', async () => {
    const viewer = { Authorization: `Bearer ${await t.tokenFor('viewer')}` };
    const [a, b, c] = fleet.nodeIds;
    await t.dataSource.query('DELETE FROM health_checks'); // the fleet's setup checked every node
    await fleet.panels[1].setFault({ kind: 'refuse' });
    await t.http().post('/api/v1/nodes/check-health').set(fleet.auth).expect(200);
    await checkHealth(t, fleet.auth, a);
    const { body } = await t.http().get('/api/v1/health/recent?stepSeconds=60').set(viewer).expect(200);
    expect(body.stepMs).toBe(60_000);
    expect(body.from % 60_000).toBe(0);
    expect(body.fleet).toHaveLength(31);
    const swept = body.fleet.filter(Boolean);
    expect(swept.at(-1)).toMatchObject({ checked: 3, failed: 1, medianMs: expect.any(Number) });
    expect(body.nodes.map((node: { nodeId: number }) => node.nodeId)).toEqual([a, b, c]);
    const [ofA, ofB] = body.nodes;
    expect(ofA.ms).toHaveLength(31);
    expect(ofA.ms.filter((ms: number | null) => ms !== null).length).toBeGreaterThanOrEqual(1);
    expect(ofB.ms.every((ms: number | null) => ms === null)).toBe(true); // its checks failed
    const since = new Date(Date.now() - 5_000).toISOString();
    const poll = await t.http().get(`/api/v1/health/recent?since=${since}&stepSeconds=5`).set(viewer).expect(200);
    expect(poll.body.fleet.length).toBeLessThanOrEqual(3);
    for (const node of poll.body.nodes) expect(node.ms).toHaveLength(poll.body.fleet.length);
    for (const query of [
      'since=yesterday',
      `since=${new Date(Date.now() + 60_000).toISOString()}`,
      `since=${new Date(Date.now() - 721 * 30_000).toISOString()}`,
      'stepSeconds=4',
      'stepSeconds=3601',
      'stepSeconds=ten',
    ]) {
      const bad = await t.http().get(`/api/v1/health/recent?${query}`).set(viewer).expect(400);
      expect(bad.body.message.join(' ')).toMatch(/since|stepSeconds/);
    }
    await t.http().get('/api/v1/health/recent').expect(401);
    await t.http().get('/api/v1/health/recent').set({ Authorization: 'Bearer nope' }).expect(401);
    await t.http().get('/api/v1/health/recent').set(bot).expect(403);
  });

  it('recent health of a large fleet: the fleet only, from one row per sweep', async () => {
    await t.dataSource.query(
      `INSERT INTO nodes (name, panel_url, panel_username, panel_password, inbound_id)
       SELECT 'extra-' || g, 'http://127.0.0.1:9/' || g || '/', 'u', 'x', 1 FROM generate_series(1, 6) g`,
    );
    await t.http().post('/api/v1/nodes/check-health').set(fleet.auth).expect(200);
    const { body } = await t.http().get('/api/v1/health/recent').set(fleet.auth).expect(200);
    expect(body.nodes).toEqual([]);
    expect(body.fleet.filter(Boolean).at(-1)).toMatchObject({ checked: 9, failed: 6 });
  });

  it('stats overview: fleet counts for the dashboard, viewer allowed, bot and anonymous refused', async () => {
    await placeUsers(t, bot, 970, 4);
    await patchNodes(t, fleet.auth, [fleet.nodeIds[2]], { status: 'maintenance' });
    const viewer = { Authorization: `Bearer ${await t.tokenFor('viewer')}` };
    const { body } = await t.http().get('/api/v1/stats/overview').set(viewer).expect(200);
    expect(body).toEqual({
      nodes: { total: 3, healthy: 3, unhealthy: 0, unknown: 0, maintenance: 1, inactive: 0 },
      users: { total: 4, placed: 4 },
      access: { active: 4, on_hold: 0, disabled: 0, expired: 0, limited: 0, expiringSoon: 0 },
      capacity: { max: 200, free: expect.any(Number) }, // the two active nodes' seats; free is checked below
      jobs: { running: 0, queuedMoves: 0 },
      alerts: { nodeDownLast24h: 0, seatsWaiting: 0 },
      usage: { last24h: { up: 0, down: 0 } },
    });
    const used = (await t.http().get('/api/v1/balancer/loads').set(viewer).expect(200)).body
      .filter((l: { nodeId: number }) => l.nodeId !== fleet.nodeIds[2])
      .reduce((sum: number, l: { currentUsers: number }) => sum + l.currentUsers, 0);
    expect(body.capacity.free).toBe(200 - used);
    await t.http().get('/api/v1/stats/overview').set(bot).expect(403);
    await t.http().get('/api/v1/stats/overview').expect(401);
  });

  it('metrics: Prometheus text with node gauges, behind a token', async () => {
    await t.http().put('/api/v1/keys/990').set(bot).send({}).expect(201);
    await t.http().get('/metrics').expect(401);
    const viewer = { Authorization: `Bearer ${await t.tokenFor('viewer')}` };
    const { text } = await t.http().get('/metrics').set(viewer).expect(200);
    expect(text).toMatch(/fleet_node_healthy\{node_id="\d+",node="node-1"\} 1/);
    expect(text).toMatch(/fleet_node_users\{node_id="\d+",node="node-\d"\} 1/);
    expect(text).toMatch(/fleet_placements_total\{result="placed"\} 1/);
    expect(text).toContain('fleet_health_check_seconds_bucket');
    expect(text).toContain('fleet_job_backlog 0');
  });
});

describe('the scheduled sweep', () => {
  it('two API processes on one database sweep once per tick', async () => {
    // A 10-minute interval: the timers never fire during the test; the sweeps are run by hand, at the same moment.
    const env = { HEALTH_INTERVAL_MS: '600000' };
    const secretKey = randomBytes(32); // replicas share SECRET_KEY, or they could not read the panel passwords
    const first = await startTestApp({ env, secretKey });
    const second = await startTestApp({ databaseUrl: first.databaseUrl, env, secretKey });
    const fleet = await startFleet(first, [{}, {}]);
    try {
      const sweeps = [first, second].map((app) => app.app.get(HealthSweepService));
      const before = fleet.panels.map((panel) => panel.calls.get('get') ?? 0);
      const results = await Promise.all([...sweeps, ...sweeps].map((sweep) => sweep.sweep()));
      expect(results.filter((r) => r.swept)).toHaveLength(1);
      const after = fleet.panels.map((panel) => panel.calls.get('get') ?? 0);
      expect(after.map((n, i) => n - before[i])).toEqual([1, 1]);
    } finally {
      await second.close();
      await first.close();
      await fleet.stop();
    }
  });
});
