import { dirname, resolve } from 'node:path';
import 'reflect-metadata';
import { createApp } from './app.factory';
import { BackgroundLoop } from './common/background/background-loop';
import { ConfigError, loadConfig } from './config/app-config';
import { EmbeddedPostgresError } from './common/database/embedded-postgres';
import { migrateDatabase } from './common/database/migrate';
import { drainable } from './common/http/http-drain';
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
    const http = drainable(app.getHttpServer());
    await app.listen(config.port, config.host);
    const database = config.databaseUrl ? 'PostgreSQL from DATABASE_URL' : 'embedded PostgreSQL';
    logger.info(
      `control plane listening on http://${config.host}:${config.port} (${database}), ready in ${Math.round(performance.now() - startedAt)} ms`,
    );
    const stop = async (signal: NodeJS.Signals) => {
      const bound = config.shutdownTimeoutMs;
      logger.info(`${signal} received; shutting down (at most ${bound} ms)`);
      setTimeout(() => {
        logger.error(`shutdown took longer than SHUTDOWN_TIMEOUT_MS (${bound} ms); exiting now`);
        process.exit(1);
      }, bound).unref();
      // Requests in flight and background work wind down side by side; the database goes after both.
      const [{ cut }] = await Promise.all([http.drain(bound * 0.8), BackgroundLoop.stopAll()]);
      if (cut) logger.warn(`${cut} request(s) still running after ${bound * 0.8} ms were cut`);
      await app.close();
      await stopDatabase();
      logger.info('stopped');
      process.exit(0);
    };
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, (name) => void stop(name));
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
