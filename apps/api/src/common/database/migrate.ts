import { DataSource } from 'typeorm';
import { LockKey, withAdvisoryLock } from './advisory-lock';
import { dataSourceOptions } from './data-source.options';

/** Applies pending migrations; safe when several instances start at once. Returns the names applied. */
export async function migrateDatabase(databaseUrl: string): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(databaseUrl, 2));
  await dataSource.initialize();
  try {
    const applied = await withAdvisoryLock(dataSource, LockKey.Migrations, () =>
      dataSource.runMigrations({ transaction: 'each' }),
    );
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}
