import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';

const SERVER =
  process.env['BENCH_DATABASE_URL'] ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: SERVER });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The built control plane in its own process, on a fresh database that is dropped at the end. */
export async function startControlPlane(
  port: number,
  env: Record<string, string> = {},
): Promise<{ url: string; token: string; child: ChildProcess; stop(): Promise<void> }> {
  const name = `fleet_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE "${name}"`);
  const databaseUrl = new URL(SERVER);
  databaseUrl.pathname = `/${name}`;
  // BENCH_API_NODE_ARGS, e.g. "--cpu-prof", profiles the control plane; BENCH_API_MAIN runs another build of it.
  const nodeArgs = (process.env['BENCH_API_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const main = process.env['BENCH_API_MAIN'] ?? resolve(__dirname, '../../dist/apps/api/main.js');
  const child = spawn(process.execPath, [...nodeArgs, main], {
    cwd: process.env['BENCH_API_CWD'] ?? process.cwd(),
    env: {
      PATH: process.env['PATH'],
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl.toString(),
      SECRET_KEY: randomBytes(32).toString('hex'),
      ADMIN_USERNAME: 'bench',
      ADMIN_PASSWORD: 'bench-password',
      LOG_LEVEL: 'error',
      ...env,
    },
    // BENCH_API_LOG=<file> keeps the control plane's log lines.
    stdio: ['ignore', process.env['BENCH_API_LOG'] ? openSync(process.env['BENCH_API_LOG'], 'w') : 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (i > 300) throw new Error('control plane did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: 'bench-password' }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  return {
    url,
    token: accessToken,
    child,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

export async function api<T>(base: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
