import pg from 'pg';

/** Drops what this run's test files left behind and stops the embedded server if one was started. */
export default async function globalTeardown() {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [
      `fleet_test_${process.env.FLEET_TEST_RUN}_%`,
    ]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
  await globalThis.__embeddedPostgres?.stop();
}
