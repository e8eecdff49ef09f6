/**
 * `GET /sub/:token` under load: 32 keep-alive clients for 15 s against the built control plane (its own process),
 * and the same load against a bare Node server doing one indexed SELECT on the same database (the floor), in this
 * run. 500 nodes and 100,000 users, written straight into the database. Target: ≥ 50 % of the bare rate, p99 ≤ 20 ms,
 * for the default (base64) and for each other format (`formats`, by /sub/:token/<format>).
 * Run: npm run bench:subscription   (BENCH_SUB_SECONDS, BENCH_SUB_CLIENTS, BENCH_USERS, BENCH_NODES)
 */
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { startControlPlane } from './support/control-plane';

const SECONDS = Number(process.env['BENCH_SUB_SECONDS'] ?? 15);
const CLIENTS = Number(process.env['BENCH_SUB_CLIENTS'] ?? 32);
const USERS = Number(process.env['BENCH_USERS'] ?? 100_000);
const NODES = Number(process.env['BENCH_NODES'] ?? 500);
const FORMATS = ['links', 'clash', 'singbox', 'xray', 'html'];

const SNAPSHOT = {
  id: 1,
  protocol: 'vless',
  port: 443,
  remark: 'bench',
  settings: JSON.stringify({ decryption: 'none', fallbacks: [] }),
  streamSettings: JSON.stringify({ network: 'tcp', security: 'none', tcpSettings: { header: { type: 'none' } } }),
};

async function seed(databaseUrl: string): Promise<string[]> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  await db.query(
    `INSERT INTO nodes (id, name, panel_url, panel_username, panel_password, inbound_id, inbound_snapshot, max_users,
                        current_users, health_status)
     SELECT g, 'bench-' || g, 'http://10.0.0.' || (g % 250) || ':2053/', 'u', 'x', 1, $2::jsonb, $3, $3, 'healthy'
       FROM generate_series(1, $1) AS g`,
    [NODES, JSON.stringify(SNAPSHOT), Math.ceil(USERS / NODES)],
  );
  await db.query(`SELECT setval('nodes_id_seq', $1)`, [NODES]);
  await db.query(
    `INSERT INTO vpn_users (id, telegram_id, uuid, subscription_token, traffic_limit_bytes, used_bytes, used_up_bytes)
     SELECT g, g, gen_random_uuid(), md5(g::text || random()::text) || md5(g::text), 1e11, g * 1000, g * 100
       FROM generate_series(1, $1) AS g`,
    [USERS],
  );
  await db.query(`SELECT setval('vpn_users_id_seq', $1)`, [USERS]);
  await db.query(
    `INSERT INTO assignments (user_id, node_id, group_id, inbound_id, client_email, state, access_version)
     SELECT g, (g - 1) % $2 + 1, first_node_group(), 1, 'u' || g || '-n' || ((g - 1) % $2 + 1), 'active', 1 FROM generate_series(1, $1) g`,
    [USERS, NODES],
  );
  await db.query('ANALYZE');
  const { rows } = await db.query(`SELECT subscription_token FROM vpn_users ORDER BY random() LIMIT 5000`);
  await db.end();
  return rows.map((row) => row.subscription_token as string);
}

/** `CLIENTS` loops, each on its own kept-alive connection, for `seconds`: requests per second and latencies. */
async function load(base: string, tokens: string[], seconds = SECONDS, suffix = '') {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const { hostname, port } = new URL(base);
  const latencies: number[] = [];
  let failures = 0;
  const deadline = performance.now() + seconds * 1000;
  const get = (path: string) =>
    new Promise<number>((done, fail) => {
      const req = request({ agent, hostname, port, path }, (response) => {
        response.resume();
        response.on('end', () => done(response.statusCode ?? 0));
      });
      req.on('error', fail);
      req.end();
    });
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline) {
        const token = tokens[next++ % tokens.length];
        const started = performance.now();
        const status = await get(`/sub/${token}${suffix}`).catch(() => 0);
        latencies.push(performance.now() - started);
        if (status !== 200) failures++;
      }
    }),
  );
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => +latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(2);
  return {
    requests: latencies.length,
    perSecond: Math.round(latencies.length / seconds),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    failures,
  };
}

async function main(): Promise<void> {
  const plane = await startControlPlane(24900, {
    HEALTH_INTERVAL_MS: '0',
    USAGE_INTERVAL_MS: '0',
    ACCESS_INTERVAL_MS: '0',
    RECONCILE_INTERVAL_MS: '0',
  });
  const bare = fork(resolve(__dirname, 'support/bare-subscription-server.js'), [], {
    env: { ...process.env, DATABASE_URL: plane.databaseUrl, PORT: '24901' },
  });
  try {
    await new Promise((ready) => bare.once('message', ready));
    const tokens = await seed(plane.databaseUrl);
    // warm both (connections, caches), then measure each in turn
    await load(plane.url, tokens, 2);
    await load('http://127.0.0.1:24901', tokens, 2);
    const api = await load(plane.url, tokens);
    const floor = await load('http://127.0.0.1:24901', tokens);
    // Every other format.
    const formats: Record<string, unknown> = {};
    // Each against a floor measured right after it: a long run drifts, and a share against the first floor alone
    // would charge the drift to the formats measured last.
    for (const format of FORMATS) {
      const measured = await load(plane.url, tokens, SECONDS, `/${format}`);
      const beside = await load('http://127.0.0.1:24901', tokens);
      formats[format] = {
        ...measured,
        floorPerSecond: beside.perSecond,
        shareOfBare: +(measured.perSecond / beside.perSecond).toFixed(2),
      };
    }
    console.log(
      JSON.stringify(
        {
          benchmark: 'subscription',
          users: USERS,
          nodes: NODES,
          clients: CLIENTS,
          seconds: SECONDS,
          api,
          floor: { bareServer: floor },
          shareOfBare: +(api.perSecond / floor.perSecond).toFixed(2),
          formats,
          target: 'shareOfBare ≥ 0.5 and api.p99Ms ≤ 20, for base64 (api) and every format',
        },
        null,
        2,
      ),
    );
  } finally {
    bare.kill('SIGTERM');
    await plane.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
