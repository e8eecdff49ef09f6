import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Client } from 'pg';

/** The PostgreSQL server tests and benchmarks make their databases on. */
export function databaseServerUrl(): string {
  return (
    process.env['TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres'
  );
}

export function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

async function onServer(server: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A new, empty database named `<prefix>_<random>`; `drop()` removes it (even with connections left). */
export async function createDatabase(
  prefix: string,
  server = databaseServerUrl(),
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await onServer(server, `CREATE DATABASE "${name}"`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(server, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

export interface BuiltControlPlane {
  child: ChildProcess;
  url: string;
  /** Everything the process printed (when `output: 'capture'`). */
  output(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/**
 * The Node flags the control plane runs with (package.json's `start`, docker/Dockerfile's CMD): a young generation
 * of 64 MB, where batches of moves live across database and panel round trips without being copied again and again
 * (about a sixth of the control plane's CPU in a large failover).
 */
export const CONTROL_PLANE_NODE_FLAGS = ['--max-semi-space-size=64'];

/**
 * Runs the built control plane (`main`, normally dist/apps/api/main.js) as `npm start` does (its Node flags, then
 * `nodeArgs`), on 127.0.0.1:`port`, with only PATH and `env` in its environment, and waits until /readyz answers.
 */
export async function startBuiltControlPlane(options: {
  main: string;
  port: number;
  env: Record<string, string>;
  cwd?: string;
  nodeArgs?: string[];
  /** `capture` keeps the output for `output()`; `inherit` prints it; a file descriptor writes stdout there. */
  output?: 'capture' | 'inherit' | 'ignore' | number;
  readyTimeoutMs?: number;
}): Promise<BuiltControlPlane> {
  const mode = options.output ?? 'capture';
  let output = '';
  const stdout = mode === 'capture' ? 'pipe' : mode;
  const child = spawn(process.execPath, [...CONTROL_PLANE_NODE_FLAGS, ...(options.nodeArgs ?? []), options.main], {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'], PORT: String(options.port), HOST: '127.0.0.1', ...options.env },
    stdio: ['ignore', stdout, mode === 'capture' ? 'pipe' : 'inherit'],
  });
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 45_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`control plane exited early:\n${output}`);
    const ready = await fetch(`${url}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) {
      return {
        child,
        url,
        output: () => output,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited(child);
        },
      };
    }
    await new Promise((wait) => setTimeout(wait, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`control plane did not become ready:\n${output}`);
}

export function exited(child: ChildProcess): Promise<void> {
  return new Promise((done) =>
    child.exitCode !== null || child.signalCode !== null ? done() : child.once('exit', () => done()),
  );
}
export { carriesSecret } from './secret-forms';
export { startBotApi, telegramHtmlProblem, type BotAnswer, type BotApi, type BotCall } from './bot-api-stand-in';
