import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import pino from 'pino';
import { Writable } from 'node:stream';
import { startTestApp, TestApp } from './support/test-app';
import { createTestDatabase } from './support/test-database';

function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('start-up work (real PostgreSQL)', () => {
  const apps: TestApp[] = [];
  let database: { url: string; drop(): Promise<void> };
  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await database.drop();
  });

  it('generates the first admin password once, prints it, and it works', async () => {
    const { logger, lines } = capturingLogger();
    const app = await startTestApp({
      databaseUrl: database.url,
      env: { ADMIN_USERNAME: '', ADMIN_PASSWORD: '' },
      logger,
    });
    apps.push(app);
    const line = lines.find((l) => l.includes('generated password'));
    const password = /generated password: (\S+)"/.exec(line ?? '')?.[1];
    expect(password).toBeDefined();
    await app.http().post('/api/v1/auth/login').send({ username: 'admin', password }).expect(200);

    const second = capturingLogger();
    apps.push(
      await startTestApp({
        databaseUrl: database.url,
        env: { ADMIN_USERNAME: '', ADMIN_PASSWORD: '' },
        logger: second.logger,
      }),
    );
    expect(second.lines.some((l) => l.includes('generated password'))).toBe(false);
  });

  it('creates one admin when two instances start on one database at once', async () => {
    apps.push(
      ...(await Promise.all([
        startTestApp({ databaseUrl: database.url }),
        startTestApp({ databaseUrl: database.url }),
      ])),
    );
    const [{ n }] = await apps[0].dataSource.query('SELECT count(*)::int AS n FROM admins');
    expect(n).toBe(1);
  });

  it('upserts NODES_CONFIG nodes by name, with secrets from the environment, without repeating events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-nodes-config-'));
    const file = join(dir, 'nodes.yaml');
    writeFileSync(
      file,
      `nodes:
  - name: Primary-RU
    location: Russia
    x3ui_url: https://vpn1.example.com:2053/base/
    x3ui_username: admin
    x3ui_password_env: TEST_NODE1_PASSWORD
    inbound_id: 3
    public_host: vpn1.example.com
    priority: 100
    weight: 1.0
    max_users: 1000
  - name: Secondary-EU
    location: Europe
    x3ui_url: https://vpn2.example.com:2053
    x3ui_username_env: TEST_NODE2_USER
    x3ui_password_env: TEST_NODE2_PASSWORD
    priority: 90
    weight: 0.8
    max_users: 800
`,
    );
    const secretKey = randomBytes(32);
    process.env['TEST_NODE1_PASSWORD'] = 'seeded-secret-1';
    process.env['TEST_NODE2_USER'] = 'operator';
    process.env['TEST_NODE2_PASSWORD'] = 'seeded-secret-2';
    const first = await startTestApp({ databaseUrl: database.url, env: { NODES_CONFIG: file }, secretKey });
    apps.push(first);
    const auth = { Authorization: `Bearer ${await first.adminToken()}` };
    const {
      body: { items: nodes },
    } = await first.http().get('/api/v1/nodes').set(auth).expect(200);
    expect(nodes).toHaveLength(2);
    expect(nodes[1]).toMatchObject({
      name: 'Secondary-EU',
      panelUsername: 'operator',
      priority: 90,
      weight: 0.8,
      maxUsers: 800,
    });
    const [row] = await first.dataSource.query(`SELECT panel_password FROM nodes WHERE name = 'Primary-RU'`);
    expect(first.secretBox.decrypt(row.panel_password)).toBe('seeded-secret-1');

    // A restart with the same file changes nothing; a changed value updates the node in place.
    await first.close();
    apps.pop();
    const eventsBefore = await countEvents(database.url);
    process.env['TEST_NODE1_PASSWORD'] = 'rotated-secret';
    const second = await startTestApp({ databaseUrl: database.url, env: { NODES_CONFIG: file }, secretKey });
    apps.push(second);
    const events = await second.dataSource.query(`SELECT type, actor, payload FROM events ORDER BY id`);
    const added = events.slice(eventsBefore).filter((e: { type: string }) => e.type.startsWith('node.'));
    expect(added).toEqual([
      {
        type: 'node.updated',
        actor: 'config:NODES_CONFIG',
        payload: { name: 'Primary-RU', changed: ['panelPassword'] },
      },
    ]);
    const [{ n }] = await second.dataSource.query('SELECT count(*)::int AS n FROM nodes');
    expect(n).toBe(2);
  });
});

async function countEvents(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query('SELECT count(*)::int AS n FROM events');
  await client.end();
  return rows[0].n;
}
