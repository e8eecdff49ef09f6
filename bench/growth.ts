/**
 * How the API's reads grow with the fleet. SMALL = 50 nodes, 10,000 users, 20,000 events, 100,000 health checks;
 * LARGE = 10× each. Both are seeded with SQL (`generate_series`, kept in step with the schema) into their own
 * database, each served by the built control plane in its own process; every route is timed on both, interleaved,
 * median of ROUNDS. Prints per route the medians, the response sizes and LARGE/SMALL. Target: every ratio ≤ 2.
 * The dashboard's first load is timed as its calls (the SPA's dashboard queries), one after the other.
 * With BENCH_GROWTH_GROUPS=3, nodes are spread over 3 groups and every user holds a seat in each (3 seats).
 * Run: npm run bench:growth   (BENCH_GROWTH_ROUNDS, BENCH_GROWTH_GROUPS)
 */
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { Client } from 'pg';
import { startControlPlane } from './support/control-plane';

const ROUNDS = Number(process.env['BENCH_GROWTH_ROUNDS'] ?? 7);
const GROUPS = Number(process.env['BENCH_GROWTH_GROUPS'] ?? 1);
export const SIZES = {
  small: { nodes: 50, users: 10_000, events: 20_000, checks: 100_000 },
  large: { nodes: 500, users: 100_000, events: 200_000, checks: 1_000_000 },
};
type Size = (typeof SIZES)['small'];

const SNAPSHOT = JSON.stringify({
  id: 1,
  protocol: 'vless',
  port: 443,
  remark: 'bench',
  settings: JSON.stringify({ decryption: 'none', fallbacks: [] }),
  streamSettings: JSON.stringify({ network: 'tcp', security: 'none' }),
});

export async function seed(databaseUrl: string, size: Size): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const perNode = (size.users * GROUPS) / size.nodes;
  // Groups 2…GROUPS after the seeded `default` (id 1): node n is in group (n - 1) % GROUPS + 1.
  await db.query(
    `INSERT INTO node_groups (name, sort_order, default_for_new_users)
     SELECT 'group-' || k, k, true FROM generate_series(2, $1) k`,
    [GROUPS],
  );
  await db.query(
    `INSERT INTO nodes (id, name, panel_url, panel_username, panel_password, inbound_id, inbound_snapshot, max_users,
                        current_users, health_status, location)
     SELECT g, 'node-' || g, 'http://10.1.' || (g / 250) || '.' || (g % 250) || ':2053/', 'u', 'x', 1, $2::jsonb,
            $3 + (g % 7) * 10, $3 - (g % 5) * 10, 'healthy', 'loc-' || (g % 10)
       FROM generate_series(1, $1) AS g`,
    [size.nodes, SNAPSHOT, perNode],
  );
  await db.query(`SELECT setval('nodes_id_seq', $1)`, [size.nodes]);
  await db.query(`UPDATE nodes SET group_id = (id - 1) % $1 + 1`, [GROUPS]);
  await db.query(
    `INSERT INTO vpn_users (id, telegram_id, username, uuid, subscription_token, plan_groups)
     SELECT g, 100000000 + g, 'user' || g, gen_random_uuid(), md5(g::text || random()::text),
            ARRAY(SELECT generate_series(1, $2))
       FROM generate_series(1, $1) g`,
    [size.users, GROUPS],
  );
  await db.query(`SELECT setval('vpn_users_id_seq', $1)`, [size.users]);
  await db.query(
    `INSERT INTO assignments (user_id, node_id, group_id, inbound_id, client_email, state, access_version)
     SELECT g, n, k + 1, 1, 'u' || g || '-n' || n, 'active', 1
       FROM generate_series(1, $1) g, generate_series(0, $3 - 1) k,
            LATERAL (SELECT k + 1 + $3 * ((g - 1) % ($2 / $3)) AS n) seat`,
    [size.users, size.nodes, GROUPS],
  );
  await db.query(
    `UPDATE nodes n SET current_users = c.n FROM (SELECT node_id, count(*)::int AS n FROM assignments GROUP BY 1) c
      WHERE c.node_id = n.id`,
  );
  await db.query(
    `INSERT INTO events (type, actor, node_id, user_id, payload, created_at)
     SELECT (ARRAY['user.migrated', 'node.down', 'node.up', 'user.created'])[g % 4 + 1], 'system:bench',
            g % $2 + 1, g % $3 + 1, '{}'::jsonb, now() - g * interval '1 second'
       FROM generate_series(1, $1) g`,
    [size.events, size.nodes, size.users],
  );
  await db.query(
    `INSERT INTO health_checks (node_id, ok, health_status, response_time_ms, checked_at)
     SELECT (g - 1) % $2 + 1, true, 'healthy', 20 + g % 30, now() - ((g - 1) / $2) * interval '10 seconds'
       FROM generate_series(1, $1) g`,
    [size.checks, size.nodes],
  );
  await db.query(
    `INSERT INTO health_sweeps (checked, failed, median_ms, p95_ms, slowest_ms, slowest_node_id, swept_at)
     SELECT $2, 0, 35, 48, 49, 1, now() - g * interval '10 seconds' FROM generate_series(0, $1 - 1) g`,
    [size.checks / size.nodes, size.nodes],
  );
  await db.query('VACUUM ANALYZE');
  await db.end();
}

interface Plane {
  url: string;
  token: string;
  databaseUrl: string;
}

async function timed(plane: Plane, method: string, path: string, body?: unknown) {
  const started = performance.now();
  const response = await fetch(`${plane.url}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${plane.token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const bytes = (await response.arrayBuffer()).byteLength;
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}`);
  return { ms: performance.now() - started, bytes };
}

interface Wire {
  status: number;
  ms: number;
  /** Body bytes as JSON, and as they crossed the wire (the API compresses). */
  bytes: number;
  wireBytes: number;
  etag?: string;
  body: unknown;
}

/** A GET as the browser makes it: compressed, conditional when it holds an ETag. */
function wireGet(plane: Plane, path: string, etag?: string): Promise<Wire> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.get(
      `${plane.url}/api/v1${path}`,
      {
        headers: {
          Authorization: `Bearer ${plane.token}`,
          'Accept-Encoding': 'gzip',
          ...(etag ? { 'If-None-Match': etag } : {}),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const raw = Buffer.concat(chunks);
          const text = response.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
          if (response.statusCode !== 200 && response.statusCode !== 304) {
            return reject(new Error(`GET ${path}: HTTP ${response.statusCode} ${text}`));
          }
          resolve({
            status: response.statusCode,
            ms: performance.now() - started,
            bytes: text.byteLength,
            wireBytes: raw.byteLength,
            etag: response.headers.etag,
            body: text.byteLength ? JSON.parse(text.toString()) : undefined,
          });
        });
      },
    );
    request.on('error', reject);
  });
}

const TOP_USERS = '/stats/top-users?hours=24&limit=10';

/** The dashboard's calls on first load, as the SPA makes them, all at once (the browser keeps 6 connections). */
async function dashboard(plane: Plane) {
  const paths = [
    '/stats/overview',
    '/events?limit=10',
    '/balancer/loads',
    TOP_USERS,
    '/health/recent?stepSeconds=30',
    '/stats/attention',
  ];
  const started = performance.now();
  const results = await Promise.all(paths.map((path) => wireGet(plane, path)));
  return {
    ms: performance.now() - started,
    bytes: results.reduce((sum, result) => sum + result.bytes, 0),
    wireBytes: results.reduce((sum, result) => sum + result.wireBytes, 0),
    requests: paths.length,
  };
}

/**
 * One minute of an open dashboard's polls on a live fleet: every 10 s a health sweep lands (a check per node), a
 * few events happen and some nodes gain users; the SPA polls on its intervals (overview, events, recent health
 * every 10 s; the attention strip every 15 s; loads every 30 s past 100 nodes, else 5 s; top users every minute),
 * conditionally, and the recent
 * health only from its last step. Returns the bytes on the wire.
 */
async function pollsPerMinute(plane: Plane, size: Size) {
  const db = new Client({ connectionString: plane.databaseUrl });
  await db.connect();
  const etags = new Map<string, string>();
  let wireBytes = 0;
  let requests = 0;
  const poll = async (path: string, key = path) => {
    const answer = await wireGet(plane, path, etags.get(key));
    if (answer.etag) etags.set(key, answer.etag);
    wireBytes += answer.wireBytes;
    requests++;
    return answer;
  };
  const first = (await poll('/health/recent?stepSeconds=30')).body as {
    from: number;
    stepMs: number;
    nodes: Array<{ ms: unknown[] }>;
  };
  let lastStep = first.from + ((first.nodes[0]?.ms.length ?? 1) - 1) * first.stepMs;
  for (const path of ['/stats/overview', '/events?limit=10', '/balancer/loads', TOP_USERS, '/stats/attention']) {
    await poll(path);
  }
  wireBytes = 0;
  requests = 0;
  const loadsEvery = size.nodes > 100 ? 30 : 5;
  for (let second = 5; second <= 60; second += 5) {
    if (second % 10 === 0) {
      await db.query(
        `INSERT INTO health_checks (node_id, ok, health_status, response_time_ms)
         SELECT g, true, 'healthy', 20 + (random() * 30)::int FROM generate_series(1, $1) g`,
        [size.nodes],
      );
      await db.query(
        `INSERT INTO health_sweeps (checked, failed, median_ms, p95_ms, slowest_ms) VALUES ($1, 0, 35, 48, 49)`,
        [size.nodes],
      );
      await db.query(
        `INSERT INTO events (type, actor, payload) VALUES ('user.created', 'bot', '{}'), ('user.migrated', 'system', '{}')`,
      );
      await db.query(`UPDATE nodes SET current_users = current_users + 1 WHERE id % 97 = $1`, [second % 97]);
      for (const path of ['/stats/overview', '/events?limit=10']) await poll(path);
      const recent = (await poll(`/health/recent?since=${new Date(lastStep).toISOString()}&stepSeconds=30`, 'recent'))
        .body as typeof first;
      lastStep = recent.from + ((recent.nodes[0]?.ms.length ?? 1) - 1) * recent.stepMs;
    }
    if (second % loadsEvery === 0) await poll('/balancer/loads');
    if (second % 15 === 0) await poll('/stats/attention');
  }
  await poll(TOP_USERS);
  await db.end();
  return { wireBytes, requests };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const env = { HEALTH_INTERVAL_MS: '0', USAGE_INTERVAL_MS: '0', ACCESS_INTERVAL_MS: '0', RECONCILE_INTERVAL_MS: '0' };
  const small = await startControlPlane(24950, env);
  const large = await startControlPlane(24951, env);
  try {
    await seed(small.databaseUrl, SIZES.small);
    await seed(large.databaseUrl, SIZES.large);
    // the keyset cursors of the rows at 90 % of each list (events newest first, users by id)
    const cursorAt90 = async (databaseUrl: string, size: Size) => {
      const db = new Client({ connectionString: databaseUrl });
      await db.connect();
      const [{ cursor }] = (
        await db.query(
          `SELECT (extract(epoch FROM created_at) * 1000000)::bigint || '.' || id AS cursor FROM events
            ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1`,
          [Math.floor(size.events * 0.9)],
        )
      ).rows;
      await db.end();
      return { events: cursor as string, users: Math.floor(size.users * 0.9) };
    };
    const cursors = {
      small: await cursorAt90(small.databaseUrl, SIZES.small),
      large: await cursorAt90(large.databaseUrl, SIZES.large),
    };
    const routes = (size: Size): Array<[string, string, string, unknown?]> => {
      const cursor = size === SIZES.small ? cursors.small : cursors.large;
      const lastUsersPage = Math.floor((size.users * 0.9) / 50);
      const lastEventsPage = Math.floor((size.events * 0.9) / 50);
      return [
        ['users page 1', 'GET', '/users?limit=50'],
        ['users page at 90 %', 'GET', `/users?limit=50&page=${lastUsersPage}`],
        ['users by key at 90 % (?after)', 'GET', `/users?limit=50&after=${cursor.users}`],
        ['users ?search=name', 'GET', '/users?limit=50&search=user777'],
        ['users ?search=telegram id', 'GET', `/users?limit=50&search=${100000000 + 777}`],
        ['users ?search=telegram id prefix', 'GET', `/users?limit=50&search=${String(100000000 + 777).slice(0, 6)}`],
        ['users ?sort=expiresAt', 'GET', '/users?limit=50&sort=expiresAt'],
        ['users ?sort=-name page 3', 'GET', '/users?limit=50&sort=-name&page=3'],
        ['users export.csv ?status=disabled', 'GET', '/users/export.csv?status=disabled'],
        ['events page 1', 'GET', '/events?limit=50'],
        ['events page at 90 %', 'GET', `/events?limit=50&page=${lastEventsPage}`],
        ['events by key at 90 % (?after)', 'GET', `/events?limit=50&after=${cursor.events}`],
        ['events ?limit=10 (dashboard poll)', 'GET', '/events?limit=10'],
        ['stats/overview', 'GET', '/stats/overview'],
        ['stats/attention (every page)', 'GET', '/stats/attention'],
        ['user keys (support view)', 'GET', '/users/777/keys'],
        ['nodes', 'GET', '/nodes'],
        ['nodes page 1 (?limit=50)', 'GET', '/nodes?limit=50'],
        ['nodes ?search=name&health', 'GET', '/nodes?limit=50&search=node-17&health=healthy'],
        ['balancer/loads', 'GET', '/balancer/loads'],
        ['node health history', 'GET', '/nodes/1/health'],
        ['health/recent (dashboard chart)', 'GET', '/health/recent?stepSeconds=30'],
        ['node users', 'GET', '/nodes/1/users?limit=50'],
        ['rebalance dry run', 'POST', '/balancer/rebalance', { dryRun: true }],
        ['user (servers, waiting seats)', 'GET', '/users/777'],
        ['key (the bot’s view, every server)', 'GET', `/keys/${100000000 + 777}`],
        ['groups', 'GET', '/groups'],
      ];
    };
    const figures = new Map<string, { small: number[]; large: number[]; smallBytes: number; largeBytes: number }>();
    type Board = { ms: number; bytes: number; wireBytes: number; requests: number };
    const boards = { small: [] as Board[], large: [] as Board[] };
    const board = (runs: Board[]) => ({
      ms: Math.round(median(runs.map((run) => run.ms))),
      requests: runs[0].requests,
      bytes: runs[0].bytes,
      wireBytes: runs[0].wireBytes,
    });
    // before the timed rounds: its inserts then weigh on both sizes alike
    const polls = { small: await pollsPerMinute(small, SIZES.small), large: await pollsPerMinute(large, SIZES.large) };
    for (let round = 0; round < ROUNDS; round++) {
      const smallRoutes = routes(SIZES.small);
      const largeRoutes = routes(SIZES.large);
      for (const [i, [label, method, path, body]] of smallRoutes.entries()) {
        const a = await timed(small, method, path, body);
        const [, largeMethod, largePath, largeBody] = largeRoutes[i];
        const b = await timed(large, largeMethod, largePath, largeBody);
        const entry = figures.get(label) ?? { small: [], large: [], smallBytes: a.bytes, largeBytes: b.bytes };
        entry.small.push(a.ms);
        entry.large.push(b.ms);
        figures.set(label, entry);
      }
      boards.small.push(await dashboard(small));
      boards.large.push(await dashboard(large));
    }
    const rows = [...figures.entries()].map(([route, entry]) => {
      const smallMs = median(entry.small);
      const largeMs = median(entry.large);
      return {
        route,
        smallMs: +smallMs.toFixed(1),
        largeMs: +largeMs.toFixed(1),
        ratio: +(largeMs / smallMs).toFixed(2),
        smallBytes: entry.smallBytes,
        largeBytes: entry.largeBytes,
      };
    });
    const dashboardLoad = { small: board(boards.small), large: board(boards.large) };
    console.log(
      JSON.stringify(
        {
          benchmark: 'growth',
          sizes: SIZES,
          groups: GROUPS,
          rounds: ROUNDS,
          routes: rows,
          worstRatio: Math.max(...rows.map((row) => row.ratio)),
          dashboardFirstLoad: {
            ...dashboardLoad,
            ratio: +(dashboardLoad.large.ms / dashboardLoad.small.ms).toFixed(2),
          },
          dashboardPollsPerMinute: polls,
          target:
            'every ratio ≤ 2; dashboard first load at LARGE ≤ 10 requests, ≤ 1 MB, ≤ 500 ms; its polls ≤ 50 KB a minute',
        },
        null,
        2,
      ),
    );
  } finally {
    await small.stop();
    await large.stop();
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
