import { dirname, resolve } from 'node:path';
import 'reflect-metadata';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/app-config';
import { EmbeddedPostgresError } from './common/database/embedded-postgres';
import { migrateDatabase } from './common/database/migrate';
import { createLogger } from './common/logging/logger';
import { NodesConfigError } from './modules/nodes/nodes-config.loader';
import { resolveRuntime } from './runtime';

async function main(): Promise<void> {
  const startedAt = performance.now();
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const runtime = await resolveRuntime(config, logger);
  const stopDatabase = runtime.stopDatabase;
  try {
    const applied = await migrateDatabase(runtime.databaseUrl);
    if (applied.length) logger.info({ migrations: applied }, `applied ${applied.length} migration(s)`);
    // The SPA is built next to the API bundle: dist/apps/api/main.js → dist/apps/admin.
    const adminDir = resolve(dirname(process.argv[1] ?? '.'), '../admin');
    const app = await createApp({ ...runtime, adminDir });
    await app.listen(config.port, config.host);
    const database = config.databaseUrl ? 'PostgreSQL from DATABASE_URL' : 'embedded PostgreSQL';
    logger.info(
      `control plane listening on http://${config.host}:${config.port} (${database}), ready in ${Math.round(performance.now() - startedAt)} ms`,
    );
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, async () => {
        logger.info(`${signal} received; shutting down`);
        await app.close();
        await stopDatabase();
        process.exit(0);
      });
    }
  } catch (error) {
    await stopDatabase();
    throw error;
  }
}

main().catch((error: unknown) => {
  const readable = [ConfigError, NodesConfigError, EmbeddedPostgresError].some((kind) => error instanceof kind);
  console.error(readable ? (error as Error).message : error);
  process.exit(1);
});
