import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions.js';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { NumberColumnsAfterInsert } from './number-column';

/** The one description of the database, shared by the app, the start-up migrator and the migration CLI. */
export function dataSourceOptions(databaseUrl: string, poolSize = 20): PostgresDataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    subscribers: [NumberColumnsAfterInsert],
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    applicationName: 'fleet-control-plane',
    poolSize,
  };
}
