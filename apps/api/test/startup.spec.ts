import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { freePort, MAIN, startBuiltApp, Started, stopped } from './support/process';

/** Starts the built control plane the way `npm start` does, with no DATABASE_URL, in its own data dir. */
function start(dataDir: string, port: number, pgPort: number): Promise<Started> {
  return startBuiltApp({
    cwd: dataDir,
    port,
    env: {
      EMBEDDED_PG_PORT: String(pgPort),
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD: 'start-up-test-password',
    },
  });
}

describe('npm start on the embedded database (built app, real process)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleet-start-'));
  // Under root the embedded server runs as the postgres user, which must be able to enter the directory.
  chmodSync(dataDir, 0o755);
  let running: Started | null = null;

  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: the api test target builds the app first`);
  });
  afterAll(async () => {
    if (running) {
      running.child.kill('SIGTERM');
      await stopped(running.child);
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves /healthz and the node API, keeps data across an unclean stop, and shuts down cleanly', async () => {
    const [port, pgPort] = [await freePort(), await freePort()];
    const api = request(`http://127.0.0.1:${port}`);

    running = await start(dataDir, port, pgPort);
    await api.get('/healthz').expect(200, { status: 'ok' });
    expect(running.output()).toContain('generated one into data/local-secrets.json');
    const secrets = readFileSync(join(dataDir, 'data', 'local-secrets.json'), 'utf8');
    expect(running.output()).not.toContain(JSON.parse(secrets).secretKey);

    const { body: login } = await api
      .post('/api/v1/auth/login')
      .send({ username: 'admin', password: 'start-up-test-password' })
      .expect(200);
    const auth = { Authorization: `Bearer ${login.accessToken}` };
    await api
      .post('/api/v1/nodes')
      .set(auth)
      .send({
        name: 'survivor',
        panelUrl: 'https://p.example.com:2053/',
        panelUsername: 'a',
        panelPassword: 'never-logged-secret',
      })
      .expect(201);
    expect(running.output()).not.toContain('never-logged-secret');

    // Unclean stop: the control plane dies without shutting its database down.
    running.child.kill('SIGKILL');
    await stopped(running.child);
    running = await start(dataDir, port, pgPort);
    const { body: again } = await api
      .post('/api/v1/auth/login')
      .send({ username: 'admin', password: 'start-up-test-password' })
      .expect(200);
    const {
      body: { items: nodes },
    } = await api
      .get('/api/v1/nodes')
      .set({ Authorization: `Bearer ${again.accessToken}` })
      .expect(200);
    expect(nodes.map((node: { name: string }) => node.name)).toEqual(['survivor']);

    // A clean stop takes the embedded database down with it; the next start initialises nothing new.
    running.child.kill('SIGTERM');
    await stopped(running.child);
    expect(running.child.exitCode).toBe(0);
    running = await start(dataDir, port, pgPort);
    expect(running.output()).not.toContain('initialising embedded PostgreSQL');
    expect(running.output()).not.toContain('adopting it');
    const ready = /ready in (\d+) ms/.exec(running.output());
    expect(Number(ready?.[1])).toBeGreaterThan(0);
  });
});
