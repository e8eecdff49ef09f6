import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import request from 'supertest';

export const MAIN = resolve(__dirname, '../../../../dist/apps/api/main.js');

export function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** Runs the built control plane as `npm start` does and waits until /readyz answers. */
export async function startBuiltApp(options: {
  cwd: string;
  port: number;
  env: Record<string, string>;
}): Promise<Started> {
  let output = '';
  const child = spawn(process.execPath, [MAIN], {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'], PORT: String(options.port), HOST: '127.0.0.1', ...options.env },
  });
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`control plane exited early:\n${output}`);
    const up = await request(url)
      .get('/readyz')
      .then(
        (r) => r.status === 200,
        () => false,
      );
    if (up) return { child, url, output: () => output };
    await new Promise((wait) => setTimeout(wait, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`control plane did not become ready:\n${output}`);
}

export function stopped(child: ChildProcess): Promise<void> {
  return new Promise((done) =>
    child.exitCode !== null || child.signalCode !== null ? done() : child.once('exit', () => done()),
  );
}
