import { Client } from 'pg';
import { migrateDatabase } from '../../apps/api/src/common/database/migrate';
async function main() {
  const admin = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS exp_sub');
  await admin.query('CREATE DATABASE exp_sub');
  await admin.end();
  await migrateDatabase('postgres://postgres@127.0.0.1:5432/exp_sub');
}
main();
