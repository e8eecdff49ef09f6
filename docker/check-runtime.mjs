#!/usr/bin/env node
// Reproduces the runtime stage of docker/Dockerfile without Docker, then checks what the image would serve:
// production dependencies only (`npm ci --omit=dev` from the lockfile), the built API and SPA under dist/apps, and
// PostgreSQL from DATABASE_URL. Checks `/` (the dashboard and one of its assets), `/readyz` and a login, and prints
// the figures as JSON. Builds first unless `--no-build` is given.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SERVER =
  process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ADMIN = { username: 'admin', password: randomBytes(12).toString('hex') };

/** The image's command (`CMD ["node", ...]` in docker/Dockerfile): what follows `node`. */
function imageCommandArgs() {
  const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(ROOT, 'docker/Dockerfile'), 'utf8'));
  const [program, ...args] = JSON.parse(cmd[1]);
  if (program !== 'node') throw new Error(`docker/Dockerfile's CMD runs ${program}, not node`);
  return args;
}

function run(command, args, options = {}) {
  execFileSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
}

async function onServer(sql) {
  const client = new pg.Client({ connectionString: SERVER });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function freePort() {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

function check(condition, what) {
  if (!condition) throw new Error(`runtime check failed: ${what}`);
}

async function waitUntilReady(base, child, seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the control plane exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${base}/readyz`);
      if (response.ok) return response;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`/readyz did not answer within ${seconds} s`);
}

async function main() {
  if (!process.argv.includes('--no-build')) {
    run('npx', ['nx', 'run-many', '-t', 'build', '-p', 'api', 'admin', '--outputStyle=stream'], {
      cwd: ROOT,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    });
  }

  // The runtime stage, step by step.
  const stage = mkdtempSync(join(tmpdir(), 'fleet-runtime-'));
  const database = `fleet_runtime_${randomBytes(4).toString('hex')}`;
  let child;
  try {
    cpSync(join(ROOT, 'package.json'), join(stage, 'package.json'));
    cpSync(join(ROOT, 'package-lock.json'), join(stage, 'package-lock.json'));
    const installStarted = performance.now();
    run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: stage,
      env: { ...process.env, NODE_ENV: 'production' },
    });
    const installSeconds = (performance.now() - installStarted) / 1000;
    mkdirSync(join(stage, 'dist/apps'), { recursive: true });
    for (const app of ['api', 'admin'])
      cpSync(join(ROOT, 'dist/apps', app), join(stage, 'dist/apps', app), { recursive: true });
    const nodeModulesMb = Number(
      execFileSync('du', ['-sm', join(stage, 'node_modules')])
        .toString()
        .split('\t')[0],
    );
    // (typescript stays: typeorm depends on ts-node, which needs it.)
    const buildOnly = ['react', 'react-dom', 'recharts', 'vite', 'jest', 'nx', 'playwright-core'].filter((name) =>
      existsSync(join(stage, 'node_modules', name)),
    );
    check(buildOnly.length === 0, `build-only packages in the runtime's node_modules: ${buildOnly.join(', ')}`);

    await onServer(`CREATE DATABASE "${database}"`);
    const url = new URL(SERVER);
    url.pathname = `/${database}`;
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, imageCommandArgs(), {
      cwd: stage,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        DATABASE_URL: url.toString(),
        SECRET_KEY: randomBytes(32).toString('hex'),
        ADMIN_USERNAME: ADMIN.username,
        ADMIN_PASSWORD: ADMIN.password,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        HEALTH_INTERVAL_MS: '0',
      },
    });
    const startStarted = performance.now();
    const ready = await waitUntilReady(base, child, 60);
    const startSeconds = (performance.now() - startStarted) / 1000;
    check(ready.status === 200, `/readyz answered ${ready.status}`);

    const page = await fetch(`${base}/`, { headers: { accept: 'text/html' } });
    const html = await page.text();
    check(page.status === 200 && /<div id="root">/.test(html), `/ answered ${page.status} without the dashboard`);
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    check(asset, 'the dashboard page names no script');
    const script = await fetch(`${base}${asset}`);
    check(script.status === 200, `${asset} answered ${script.status}`);

    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    const { accessToken } = await login.json();
    check(login.status === 200 && typeof accessToken === 'string', `login answered ${login.status}`);
    const nodes = await fetch(`${base}/api/v1/nodes`, { headers: { authorization: `Bearer ${accessToken}` } });
    check(nodes.status === 200, `GET /api/v1/nodes with the login's token answered ${nodes.status}`);

    console.log(
      JSON.stringify({
        ok: true,
        runtimeNodeModulesMb: nodeModulesMb,
        installSeconds: Number(installSeconds.toFixed(1)),
        startSeconds: Number(startSeconds.toFixed(2)),
        checked: [
          '/ (dashboard)',
          asset.replace(/-[^.]+\./, '-*.'),
          '/readyz',
          'POST /api/v1/auth/login',
          'GET /api/v1/nodes',
        ],
      }),
    );
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((done) => setTimeout(done, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await onServer(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
    rmSync(stage, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
