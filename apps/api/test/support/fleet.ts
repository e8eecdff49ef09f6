import { PanelSimulator, PanelSimulatorOptions } from '@fleet/panel-sim';
import { nodeBody, TestApp } from './test-app';

/** Simulated panels added as nodes and checked healthy, for placement and migration tests. */
export async function startFleet(
  t: TestApp,
  specs: Array<{ node?: Record<string, unknown>; panel?: PanelSimulatorOptions }>,
): Promise<{ panels: PanelSimulator[]; nodeIds: number[]; auth: { Authorization: string }; stop(): Promise<void> }> {
  const auth = { Authorization: `Bearer ${await t.adminToken()}` };
  const panels: PanelSimulator[] = [];
  const nodeIds: number[] = [];
  for (const [index, spec] of specs.entries()) {
    const panel = await new PanelSimulator({ tag: `f${index}`, ...spec.panel }).start();
    panels.push(panel);
    const { body } = await t
      .http()
      .post('/api/v1/nodes')
      .set(auth)
      .send(
        nodeBody({
          name: `node-${index + 1}`,
          panelUrl: panel.url,
          panelUsername: panel.username,
          panelPassword: panel.password,
          inboundId: 1,
          publicHost: `n${index + 1}.vpn.example`,
          ...spec.node,
        }),
      )
      .expect(201);
    nodeIds.push(body.id);
    // A first check that times out on a loaded machine leaves the node unhealthy until it rises again.
    for (let checks = 0; checks < 5 && (await checkHealth(t, auth, body.id)) !== 'healthy'; checks++);
  }
  return { panels, nodeIds, auth, stop: async () => void (await Promise.all(panels.map((p) => p.stop()))) };
}

/** Runs checks until the node's status settles where the panel says (a node falls after 3 failures). */
export async function checkHealth(t: TestApp, auth: { Authorization: string }, nodeId: number, times = 1) {
  let body: { healthStatus: string } = { healthStatus: 'unknown' };
  for (let i = 0; i < times; i++) {
    body = (await t.http().post(`/api/v1/nodes/${nodeId}/check-health`).set(auth).expect(200)).body;
  }
  return body.healthStatus;
}

/** A client as the panel stores it in its inbound's settings, by email. */
export function clientOn(panel: PanelSimulator, email: string, inboundId = 1): Record<string, unknown> | undefined {
  return (panel.state.clientsOf(panel.state.findInbound(inboundId)!) ?? []).find((client) => client.email === email) as
    | Record<string, unknown>
    | undefined;
}

/** Emails of the clients on a panel's inbound that the control plane created (`u<user>-n<node>`). */
export function fleetEmails(panel: PanelSimulator, inboundId = 1): string[] {
  return (panel.state.clientsOf(panel.state.findInbound(inboundId)!) ?? [])
    .map((client) => String(client.email))
    .filter((email) => /^u\d+-n\d+$/.test(email));
}

/**
 * The invariants after any placement, move or crash: each seat with at most one active and no pending row left, only
 * in groups of its user's plan,
 * each active assignment's client on its panel, node counters equal to the rows, no client of ours elsewhere
 * except under a tombstone.
 */
export async function checkInvariants(
  t: Pick<TestApp, 'dataSource'>,
  panelsByNode: Map<number, PanelSimulator>,
): Promise<void> {
  const q = (sql: string) => t.dataSource.query(sql);
  const pending = await q(`SELECT count(*)::int AS n FROM assignments WHERE state = 'pending'`);
  if (pending[0].n !== 0) throw new Error(`${pending[0].n} pending assignments left`);
  // Seats (the unique indexes keep one per group and one per node): only in groups of the user's plan.
  const astray = await q(
    `SELECT a.user_id, a.group_id FROM assignments a JOIN vpn_users u ON u.id = a.user_id
      WHERE a.state = 'active' AND NOT (a.group_id = ANY(u.plan_groups))`,
  );
  if (astray.length) throw new Error(`seats outside their plans: ${JSON.stringify(astray)}`);
  const counters = await q(
    `SELECT n.id, n.current_users, (SELECT count(*)::int FROM assignments a WHERE a.node_id = n.id AND a.state <> 'released') AS rows FROM nodes n`,
  );
  for (const row of counters) {
    if (row.current_users !== row.rows)
      throw new Error(`node ${row.id}: counter ${row.current_users} ≠ ${row.rows} rows`);
  }
  const [kept] = await q(
    `SELECT (SELECT json_object_agg(status || ':' || deleted, n ORDER BY status, deleted) FROM (
               SELECT status, deleted, sum(n)::int AS n FROM (SELECT status, deleted, n FROM user_counts
                UNION ALL SELECT status, deleted, n FROM user_count_changes) c GROUP BY 1, 2 HAVING sum(n) <> 0) k) AS kept,
            (SELECT json_object_agg(status || ':' || deleted, n ORDER BY status, deleted) FROM (
               SELECT status, deleted_at IS NOT NULL AS deleted, count(*)::int AS n FROM vpn_users GROUP BY 1, 2) r) AS real`,
  );
  if (JSON.stringify(kept.kept) !== JSON.stringify(kept.real)) {
    throw new Error(`user counts ${JSON.stringify(kept.kept)} ≠ rows ${JSON.stringify(kept.real)}`);
  }
  const active: Array<{ node_id: number; client_email: string }> = await q(
    `SELECT node_id, client_email FROM assignments WHERE state = 'active'`,
  );
  const tombstones: Array<{ node_id: number; client_email: string }> = await q(
    `SELECT node_id, client_email FROM panel_tombstones`,
  );
  for (const [nodeId, panel] of panelsByNode) {
    const onPanel = new Set(fleetEmails(panel));
    const wanted = new Set(active.filter((a) => a.node_id === nodeId).map((a) => a.client_email));
    const dying = new Set(tombstones.filter((a) => a.node_id === nodeId).map((a) => a.client_email));
    for (const email of wanted)
      if (!onPanel.has(email)) throw new Error(`${email} active on node ${nodeId} but not on its panel`);
    for (const email of onPanel) {
      if (!wanted.has(email) && !dying.has(email)) throw new Error(`${email} left on node ${nodeId}'s panel`);
    }
  }
}

/** Polls `probe` until `ok` holds or the time is up; returns the last value (the test asserts on it). */
export async function eventually<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** PATCHes each node with the same fields (e.g. `{status: 'maintenance'}`), expecting 200. */
export async function patchNodes(
  t: TestApp,
  auth: { Authorization: string },
  nodeIds: number[],
  fields: Record<string, unknown>,
): Promise<void> {
  for (const id of nodeIds) await t.http().patch(`/api/v1/nodes/${id}`).set(auth).send(fields).expect(200);
}

/** Creates `count` users through the keys API, one after the other, from telegram id `first`; returns the keys. */
export async function placeUsers(
  t: TestApp,
  bot: { Authorization: string },
  first: number,
  count: number,
): Promise<Array<{ userId: number; node: { id: number } }>> {
  const keys = [];
  for (let i = 0; i < count; i++) {
    keys.push(
      (
        await t
          .http()
          .put(`/api/v1/keys/${first + i}`)
          .set(bot)
          .send({})
          .expect(201)
      ).body,
    );
  }
  return keys;
}

/** What an operator does in the panel's own UI: a POST to its API after logging in (a traffic reset, an inbound edit). */
export async function operatorCall(
  panel: PanelSimulator,
  path: string,
  body?: unknown,
): Promise<{ success: boolean; msg: string }> {
  const login = await fetch(`${panel.url}login`, {
    method: 'POST',
    body: new URLSearchParams({ username: panel.username, password: panel.password }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  const response = await fetch(`${panel.url}${path}`, {
    method: 'POST',
    headers: {
      Cookie: cookie,
      'X-Requested-With': 'XMLHttpRequest',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await response.json()) as { success: boolean; msg: string };
}
