import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source.options';

// Used by the TypeORM CLI (`npm run db:migrate`, `db:revert`, `db:generate`).
const url = process.env['DATABASE_URL'];
if (!url) {
  throw new Error('Set DATABASE_URL to run the migration CLI (the embedded database migrates itself at start-up).');
}

export default new DataSource(dataSourceOptions(url));
