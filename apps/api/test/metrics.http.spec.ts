import { execFileSync, spawnSync } from 'node:child_process';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { UsagePassService } from '../src/modules/usage/usage-pass.service';
import { clientOn, eventually, placeUsers, startFleet } from './support/fleet';
import { startTestApp, TestApp } from './support/test-app';

type Fleet = Awaited<ReturnType<typeof startFleet>>;

/** `promtool` when it is on PATH (Debian's `prometheus` package); CI installs it, so there it must be found. */
function findPromtool(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  const path = found.status === 0 ? found.stdout.trim() : '';
  if (!path && process.env['CI']) throw new Error('promtool is not on PATH; CI installs the prometheus package');
  return path || null;
}

/** A webhook receiver that accepts everything. */
async function startReceiver(): Promise<{ url: string; count: () => number; stop(): Promise<void> }> {
  let count = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      count++;
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    count: () => count,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Series of one metric: its label sets and values, from the Prometheus text. */
function series(text: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  const found = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key] = value;
    found.push({ labels, value: Number(match[3]) });
  }
  return found;
}

describe('GET /metrics: names stock tooling accepts, nodes by id, HTTP and webhook figures', () => {
  let t: TestApp;
  let fleet: Fleet;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let text: string;
  let subscriptionToken: string;
  let userId: number;

  beforeAll(async () => {
    receiver = await startReceiver();
    t = await startTestApp({
      env: { WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: 'metrics-webhook-secret', BACKGROUND_TICK_MS: '100' },
    });
    fleet = await startFleet(t, [{ node: { maxUsers: 10 } }, { node: { maxUsers: 10 } }]);
    const bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
    const keys = (await placeUsers(t, bot, 700, 2)) as Array<{
      userId: number;
      subscriptionUrl: string;
      node: { id: number };
    }>;
    const [key] = keys;
    userId = key.userId;
    subscriptionToken = new URL(key.subscriptionUrl).pathname.split('/').pop()!;
    // Every kind of figure has at least one sample: routes with ids, the subscription, a 404, passes, a webhook.
    await t.http().get(`/sub/${subscriptionToken}`).expect(200);
    await t
      .http()
      .get(`/sub/${'x'.repeat(32)}`)
      .expect(404);
    await t.http().get(`/api/v1/users/${userId}`).set(fleet.auth).expect(200);
    await t.http().get(`/api/v1/nodes/${fleet.nodeIds[0]}`).set(fleet.auth).expect(200);
    await t.http().get('/api/v1/no-such-route/123456').set(fleet.auth).expect(404);
    await t.http().get('/no-such-page/123456').expect(404);
    await t.http().patch('/api/v1/keys/700/access').set(bot).send({ enabled: false }).expect(200);
    for (const { userId: id, node } of keys) {
      const panel = fleet.panels[fleet.nodeIds.indexOf(node.id)];
      panel.state.recordTraffic([{ email: `u${id}-n${node.id}`, up: 1000, down: 4000 }]);
    }
    await t.app.get(UsagePassService).run(true);
    // A client lost on its panel: a reconcile puts it back (a correction, counted per node).
    const lost = keys[1];
    const panel = fleet.panels[fleet.nodeIds.indexOf(lost.node.id)];
    const client = clientOn(panel, `u${lost.userId}-n${lost.node.id}`)!;
    expect(panel.state.deleteClient(1, String(client['id']))).toMatchObject({ success: true });
    await t.http().post(`/api/v1/nodes/${lost.node.id}/reconcile`).set(fleet.auth).send({}).expect(200);
    await eventually(
      async () => receiver.count(),
      (n) => n > 0,
    );
    text = (await t.http().get('/metrics').set(fleet.auth).expect(200)).text;
  });
  afterAll(async () => {
    await t?.close();
    await fleet?.stop();
    await receiver?.stop();
  });

  it('promtool check metrics finds no problem in the real output (when promtool is installed)', () => {
    const promtool = findPromtool();
    if (!promtool) return; // a machine without Prometheus' tools; CI has them (findPromtool fails there otherwise)
    const checked = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${checked.stdout}${checked.stderr}`.trim()).toBe('');
    expect(checked.status).toBe(0);
    expect(execFileSync(promtool, ['--version'], { encoding: 'utf8' })).toContain('promtool');
  });

  it('counters end in _total, nothing else does; durations in seconds; every family has HELP and TYPE', () => {
    const types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
    const helps = new Set([...text.matchAll(/^# HELP (\S+) /gm)].map((m) => m[1]));
    expect(types.size).toBeGreaterThan(20);
    for (const [name, type] of types) {
      expect(helps.has(name)).toBe(true);
      if (type === 'counter') expect(name).toMatch(/_total$/);
      else expect(name).not.toMatch(/_total$/);
      expect(name).not.toMatch(/_(ms|milliseconds)$/);
    }
  });

  it('default Node.js metrics keep their standard names', () => {
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(text).not.toContain('fleet_process_');
  });

  it('nodes are labelled by id and name; response time in seconds', () => {
    const [first, second] = fleet.nodeIds.map(String);
    expect(series(text, 'fleet_node_healthy').map((s) => s.labels)).toEqual(
      expect.arrayContaining([
        { node_id: first, node: 'node-1' },
        { node_id: second, node: 'node-2' },
      ]),
    );
    const users = series(text, 'fleet_node_users');
    expect(users.reduce((sum, s) => sum + s.value, 0)).toBe(2);
    expect(users.every((s) => s.labels['node_id'] && s.labels['node'])).toBe(true);
    const response = series(text, 'fleet_node_response_time_seconds');
    expect(response).toHaveLength(2);
    expect(response.every((s) => s.value >= 0 && s.value < 5)).toBe(true);
    expect(text).not.toContain('fleet_node_response_time_ms');
    for (const name of ['fleet_usage_booked_bytes_total', 'fleet_node_drift', 'fleet_reconcile_corrections_total']) {
      const found = series(text, name);
      expect(found.length).toBeGreaterThan(0);
      expect(found.every((s) => fleet.nodeIds.map(String).includes(s.labels['node_id']))).toBe(true);
    }
  });

  it('HTTP requests by route template and status; no id or token becomes a label', () => {
    const requests = series(text, 'fleet_http_request_duration_seconds_count');
    const count = (method: string, route: string, status: string) =>
      requests.find(
        (s) => s.labels['method'] === method && s.labels['route'] === route && s.labels['status'] === status,
      )?.value ?? 0;
    expect(count('GET', '/sub/:token', '200')).toBe(1);
    expect(count('GET', '/sub/:token', '404')).toBe(1);
    expect(count('GET', '/api/v1/users/:id', '200')).toBe(1);
    expect(count('GET', '/api/v1/nodes/:id', '200')).toBe(1);
    expect(count('PUT', '/api/v1/keys/:telegramId', '201')).toBe(2);
    expect(count('PATCH', '/api/v1/keys/:telegramId/access', '200')).toBe(1);
    // An unknown path is counted under Nest's catch-all template, never under the path itself.
    const notFound = requests.filter((s) => s.labels['status'] === '404' && s.labels['route'] !== '/sub/:token');
    expect(notFound.map((s) => [s.labels['route'], s.value])).toEqual([
      ['/api/v1/{*path}', 1],
      ['unmatched', 1],
    ]);
    for (const { labels } of requests) expect(labels['route']).not.toMatch(/\/\d+(\/|$)/);
    expect(text).not.toContain(subscriptionToken);
    expect(text).not.toContain('no-such-route');
    expect(text).not.toContain('no-such-page');
  });

  it('webhook deliveries and backlog', () => {
    const delivered = series(text, 'fleet_webhook_deliveries_total').filter((s) => s.labels['result'] === 'delivered');
    expect(delivered.reduce((sum, s) => sum + s.value, 0)).toBeGreaterThan(0);
    expect(delivered.map((s) => s.labels['type'])).toContain('user.disabled');
    expect(series(text, 'fleet_webhook_backlog_messages')).toEqual([{ labels: {}, value: expect.any(Number) }]);
    expect(series(text, 'fleet_webhook_oldest_pending_age_seconds')).toHaveLength(1);
    expect(series(text, 'fleet_webhook_retrying_subjects')).toHaveLength(1);
  });
});
