import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync } from 'node:fs';
import { resolve } from 'node:path';
import { createDatabase, startBuiltControlPlane } from '@fleet/testing';

/**
 * The built control plane in its own process, on a fresh database that is dropped at the end, or as another replica
 * on the database (and with the secret key) of one started before (`replicaOf`).
 */
export async function startControlPlane(
  port: number,
  env: Record<string, string> = {},
  replicaOf?: { databaseUrl: string; secretKey: string },
): Promise<{
  url: string;
  token: string;
  databaseUrl: string;
  secretKey: string;
  child: ChildProcess;
  stop(): Promise<void>;
}> {
  const database = replicaOf
    ? { url: replicaOf.databaseUrl, drop: async () => undefined }
    : await createDatabase('fleet_bench', process.env['BENCH_DATABASE_URL']);
  const secretKey = replicaOf?.secretKey ?? randomBytes(32).toString('hex');
  // BENCH_API_NODE_ARGS, e.g. "--cpu-prof", profiles the control plane; BENCH_API_MAIN runs another build of it;
  // BENCH_API_LOG=<file> keeps its log lines.
  const plane = await startBuiltControlPlane({
    main: process.env['BENCH_API_MAIN'] ?? resolve(__dirname, '../../dist/apps/api/main.js'),
    cwd: process.env['BENCH_API_CWD'] ?? process.cwd(),
    nodeArgs: (process.env['BENCH_API_NODE_ARGS'] ?? '').split(' ').filter(Boolean),
    port,
    output: process.env['BENCH_API_LOG'] ? openSync(process.env['BENCH_API_LOG'], 'w') : 'ignore',
    readyTimeoutMs: 30_000,
    env: {
      DATABASE_URL: database.url,
      SECRET_KEY: secretKey,
      ADMIN_USERNAME: 'bench',
      ADMIN_PASSWORD: 'bench-password',
      LOG_LEVEL: 'error',
      ...env,
    },
  });
  const login = await fetch(`${plane.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: 'bench-password' }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  return {
    url: plane.url,
    token: accessToken,
    databaseUrl: database.url,
    secretKey,
    child: plane.child,
    stop: async () => {
      await plane.stop();
      await database.drop();
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
