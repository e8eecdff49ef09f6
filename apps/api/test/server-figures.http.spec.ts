import type { NodeServerFigures } from '@fleet/contract';
import { checkHealth, startFleet } from './support/fleet';
import { startTestApp, TestApp } from './support/test-app';

type Fleet = Awaited<ReturnType<typeof startFleet>>;

/** Samples of one metric in the Prometheus text, by node id. */
function samples(text: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const match of text.matchAll(new RegExp(`^${name}\\{node_id="(\\d+)",node="[^"]*"\\} (\\S+)$`, 'gm'))) {
    found.set(match[1], Number(match[2]));
  }
  return found;
}

/** Every number in a JSON text is finite: a NaN or an infinity would have been written as null, or broken it. */
function numbersIn(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.flatMap(numbersIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(numbersIn);
  return [];
}

describe('server figures per node: stored by the health check, shown, charted, exported, and a busy CPU (real HTTP, PostgreSQL, simulated panels)', () => {
  let t: TestApp;
  let fleet: Fleet;
  let bot: { Authorization: string };
  let hotId: number;
  let otherId: number;
  const hotPanel = () => fleet.panels[0];

  const node = async (id: number) =>
    (await t.http().get(`/api/v1/nodes/${id}`).set(fleet.auth).expect(200)).body as {
      eligible: boolean;
      ineligibleReason: string | null;
      healthStatus: string;
      lastError: string | null;
      server: NodeServerFigures | null;
    };
  const history = async (id: number) =>
    (await t.http().get(`/api/v1/nodes/${id}/health`).set(fleet.auth).expect(200)).body as Array<{
      ok: boolean;
      cpuPercent: number | null;
      memoryPercent: number | null;
      memUsed: number | null;
      memTotal: number | null;
      error: string | null;
    }>;
  const metrics = async () => (await t.http().get('/metrics').set(fleet.auth).expect(200)).text;
  const place = async (telegramId: number) =>
    (await t.http().put(`/api/v1/keys/${telegramId}`).set(bot).send({}).expect(201)).body as {
      userId: number;
      node: { id: number };
    };

  beforeAll(async () => {
    t = await startTestApp({ env: { CPU_BUSY_PERCENT: '90', HEALTH_TIMEOUT_MS: '2000' } });
    fleet = await startFleet(t, [{ node: { maxUsers: 100 } }, { node: { maxUsers: 100 } }]);
    [hotId, otherId] = fleet.nodeIds;
    bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
  });
  afterAll(async () => {
    await t?.close();
    await fleet?.stop();
  });
  afterEach(async () => {
    for (const panel of fleet.panels) {
      panel.setStatusOverride({});
      await panel.setFault({ kind: 'none' });
    }
    for (const id of fleet.nodeIds) await checkHealth(t, fleet.auth, id, 3);
  });

  it('a check stores the panel’s figures; the node’s view shows them', async () => {
    hotPanel().setStatusOverride({ cpu: 42.5 });
    hotPanel().state.onlines = ['alice', 'bob'];
    await checkHealth(t, fleet.auth, hotId);
    const { server } = await node(hotId);
    expect(server).toEqual({
      cpuPercent: 42.5,
      memory: { used: expect.any(Number), total: 2 * 1024 ** 3 },
      disk: { used: expect.any(Number), total: 40 * 1024 ** 3 },
      xray: { state: 'running', version: '25.10.15' },
      uptimeSeconds: expect.any(Number),
      load: [0.85, 0.85, 0.85],
      net: { upBytesPerSecond: expect.any(Number), downBytesPerSecond: expect.any(Number) },
      tcpConnections: expect.any(Number),
      udpConnections: expect.any(Number),
      onlineClients: 2,
      at: expect.any(String),
    });
    expect(server!.memory.used!).toBeLessThan(server!.memory.total!);
    expect(server!.uptimeSeconds!).toBeGreaterThan(86_400);
    expect(Date.now() - Date.parse(server!.at)).toBeLessThan(60_000);
    const listed = (await t.http().get('/api/v1/nodes').set(fleet.auth).expect(200)).body.items;
    expect(listed.find((n: { id: number }) => n.id === hotId).server).toEqual(server);
    hotPanel().state.onlines = [];
  });

  it('the health history keeps CPU and memory percents per check', async () => {
    for (const cpu of [10, 20, 30]) {
      hotPanel().setStatusOverride({ cpu });
      await checkHealth(t, fleet.auth, hotId);
    }
    const [latest, before, first] = await history(hotId);
    expect([latest.cpuPercent, before.cpuPercent, first.cpuPercent]).toEqual([30, 20, 10]);
    for (const check of [latest, before, first]) {
      expect(check.memoryPercent).toBe(Math.round((check.memUsed! / check.memTotal!) * 1000) / 10);
      expect(check.memoryPercent!).toBeGreaterThan(0);
      expect(check.memoryPercent!).toBeLessThan(100);
    }
  });

  it('a hot CPU above CPU_BUSY_PERCENT: no new users there, moves refused; cooled down, it takes users again', async () => {
    hotPanel().setStatusOverride({ cpu: 97 });
    await checkHealth(t, fleet.auth, hotId);
    expect(await node(hotId)).toMatchObject({
      healthStatus: 'healthy',
      eligible: false,
      ineligibleReason: 'its CPU is at 97 % (busy above 90 %)',
    });
    const loads = (await t.http().get('/api/v1/balancer/loads').set(fleet.auth).expect(200)).body;
    expect(loads.find((load: { nodeId: number }) => load.nodeId === hotId)).toMatchObject({
      eligible: false,
      reason: 'its CPU is at 97 % (busy above 90 %)',
    });
    const placed = [await place(9001), await place(9002), await place(9003)];
    expect(placed.map((key) => key.node.id)).toEqual([otherId, otherId, otherId]);
    const refused = await t
      .http()
      .post(`/api/v1/users/${placed[0].userId}/migrate`)
      .set(fleet.auth)
      .send({ nodeId: hotId })
      .expect(409);
    expect(JSON.stringify(refused.body)).toContain('its CPU is at 97 % (busy above 90 %)');

    hotPanel().setStatusOverride({ cpu: 35 });
    await checkHealth(t, fleet.auth, hotId);
    expect(await node(hotId)).toMatchObject({ eligible: true, ineligibleReason: null });
    expect((await place(9004)).node.id).toBe(hotId);
  });

  it('a busy CPU does not outlive its time; a check that reads nothing keeps the last figures', async () => {
    hotPanel().setStatusOverride({ cpu: 99.5 });
    await checkHealth(t, fleet.auth, hotId);
    const hot = await node(hotId);
    expect(hot.ineligibleReason).toBe('its CPU is at 99.5 % (busy above 90 %)');
    // The panel stops answering: the figures stay as they were read, and so does the busy CPU, for now.
    await hotPanel().setFault({ kind: 'refuse' });
    await checkHealth(t, fleet.auth, hotId);
    const unreachable = await node(hotId);
    expect(unreachable).toMatchObject({ healthStatus: 'healthy', lastError: 'refused', server: hot.server });
    expect(unreachable.ineligibleReason).toBe('its CPU is at 99.5 % (busy above 90 %)');
    // A few health intervals later, figures that stopped coming no longer keep the node busy.
    await t.dataSource.query(`UPDATE nodes SET cpu_busy_until = now() - interval '1 second' WHERE id = $1`, [hotId]);
    expect(await node(hotId)).toMatchObject({ eligible: true, ineligibleReason: null, server: hot.server });
    await hotPanel().setFault({ kind: 'none' }); // reachable again, not checked since
    expect((await place(9101)).node.id).toBe(hotId);
  });

  it('GET /metrics: CPU, memory, uptime and Xray per node, labelled by id and name; none from a check that read nothing', async () => {
    hotPanel().setStatusOverride({ cpu: 12.25 });
    await checkHealth(t, fleet.auth, hotId);
    const { server } = await node(hotId);
    let text = await metrics();
    const [hot, other] = [String(hotId), String(otherId)];
    expect(text).toMatch(new RegExp(`^fleet_node_cpu_percent\\{node_id="${hot}",node="node-1"\\} 12\\.25$`, 'm'));
    expect(samples(text, 'fleet_node_cpu_percent').has(other)).toBe(true);
    expect(samples(text, 'fleet_node_memory_used_bytes').get(hot)).toBe(server!.memory.used);
    expect(samples(text, 'fleet_node_memory_total_bytes').get(hot)).toBe(2 * 1024 ** 3);
    expect(samples(text, 'fleet_node_uptime_seconds').get(hot)).toBe(server!.uptimeSeconds);
    expect(samples(text, 'fleet_node_xray_running').get(hot)).toBe(1);
    for (const name of ['cpu_percent', 'memory_used_bytes', 'memory_total_bytes', 'uptime_seconds', 'xray_running']) {
      expect(text).toContain(`# TYPE fleet_node_${name} gauge`);
    }

    await hotPanel().setFault({ kind: 'xray-error' });
    await checkHealth(t, fleet.auth, hotId);
    expect(samples(await metrics(), 'fleet_node_xray_running').get(hot)).toBe(0);

    await hotPanel().setFault({ kind: 'refuse' });
    await checkHealth(t, fleet.auth, hotId);
    text = await metrics();
    expect(samples(text, 'fleet_node_cpu_percent').has(hot)).toBe(false);
    expect(samples(text, 'fleet_node_xray_running').has(hot)).toBe(false);
    expect(samples(text, 'fleet_node_cpu_percent').has(other)).toBe(true);
  });

  it('an older panel’s answer without most figures: the check passes, the view has nulls, never NaN', async () => {
    hotPanel().setStatusOverride({ omit: ['cpu', 'disk', 'loads', 'netIO', 'tcpCount', 'udpCount', 'uptime'] });
    await checkHealth(t, fleet.auth, hotId);
    const response = await t.http().get(`/api/v1/nodes/${hotId}`).set(fleet.auth).expect(200);
    expect(response.text).not.toMatch(/NaN|Infinity/);
    expect(response.body).toMatchObject({ healthStatus: 'healthy', eligible: true });
    expect(response.body.server).toMatchObject({
      cpuPercent: null,
      memory: { used: expect.any(Number), total: 2 * 1024 ** 3 },
      disk: { used: null, total: null },
      xray: { state: 'running', version: '25.10.15' },
      uptimeSeconds: null,
      load: null,
      net: { upBytesPerSecond: null, downBytesPerSecond: null },
      tcpConnections: null,
      udpConnections: null,
    });
    const [check] = await history(hotId);
    expect(check).toMatchObject({ ok: true, cpuPercent: null, memoryPercent: expect.any(Number) });
  });

  it('absurd values (negative, "NaN", strings, 1e300) never break the check nor the columns: they are null', async () => {
    hotPanel().setStatusOverride({
      fields: {
        cpu: 'NaN',
        mem: { current: -1, total: 1e300 },
        disk: { current: 'full', total: -40 },
        uptime: 1e300,
        loads: [1e300, 'x', null],
        netIO: { up: -5, down: 1e300 },
        tcpCount: 1e300,
        udpCount: -1,
      },
    });
    expect(await checkHealth(t, fleet.auth, hotId)).toBe('healthy');
    const response = await t.http().get(`/api/v1/nodes/${hotId}`).set(fleet.auth).expect(200);
    expect(response.text).not.toMatch(/NaN|Infinity|e\+300/);
    const { server } = response.body as { server: NodeServerFigures };
    expect(numbersIn({ ...server, onlineClients: null, at: null })).toEqual([]);
    expect(server.xray).toEqual({ state: 'running', version: '25.10.15' });
    const [check] = await history(hotId);
    expect(check).toMatchObject({ ok: true, cpuPercent: null, memoryPercent: null, memUsed: null, memTotal: null });

    // Even a CPU above CPU_BUSY_PERCENT that is no percent at all keeps nobody away.
    hotPanel().setStatusOverride({ fields: { cpu: 1e300 } });
    await checkHealth(t, fleet.auth, hotId);
    expect(await node(hotId)).toMatchObject({ eligible: true, server: { cpuPercent: null } });
  });

  it('an Xray state that is no state fails the check in words, and the figures read with it are kept', async () => {
    hotPanel().setStatusOverride({ cpu: 50, fields: { xray: { state: 'x'.repeat(500), errorMsg: 7 } } });
    await checkHealth(t, fleet.auth, hotId);
    const seen = await node(hotId);
    expect(seen).toMatchObject({ lastError: 'xray state not reported', server: { cpuPercent: 50 } });
    expect(seen.server!.xray).toEqual({ state: null, version: null });
    const [check] = await history(hotId);
    expect(check).toMatchObject({ ok: false, cpuPercent: 50, error: 'xray state not reported' });
  });
});
