import { DataSource, QueryRunner } from 'typeorm';
import { Semaphore } from '../batching/semaphore';

/** PostgreSQL: lock_timeout ran out. */
const LOCK_NOT_AVAILABLE = '55P03';

/** Another replica held the lock longer than the caller was willing to wait. */
export class LockWaitTimeout extends Error {
  constructor(readonly waitedMs: number) {
    super(`timed out after ${waitedMs} ms waiting for another replica to release the lock`);
  }
}

/**
 * Session-level advisory locks `(namespace, key)` held around slow work outside any transaction (a call to another
 * system), one holder at a time across every replica and, within this process, one after another per key.
 *
 * Connections: a free lock is taken on one connection this process keeps for that (`pg_try_advisory_lock`, which never
 * waits), so holding locks on any number of keys costs no pooled connection. Only a key another replica holds right
 * now is waited for on a pooled connection (PostgreSQL queues the waiters in order, so replicas take turns); at most
 * `maxWaitingConnections` do that at once, the rest wait in this process without a connection.
 */
export class SessionAdvisoryLocks {
  private readonly local = new Map<number, Promise<unknown>>();
  private readonly waitingConnections: Semaphore;
  private readonly session: LockSession;

  constructor(
    private readonly dataSource: DataSource,
    private readonly namespace: number,
    maxWaitingConnections: number,
  ) {
    this.waitingConnections = new Semaphore(maxWaitingConnections);
    this.session = new LockSession(dataSource, namespace);
  }

  /** Runs `work` as the only holder of `key` among all replicas; throws LockWaitTimeout past `waitLimitMs`. */
  run<T>(key: number, waitLimitMs: number, work: () => Promise<T>): Promise<T> {
    // Within this process, one after another per key: advisory locks are re-entrant within a session, so the lock
    // session alone would not keep two local holders apart.
    const previous = this.local.get(key) ?? Promise.resolve();
    const run = previous.then(() => this.holding(key, waitLimitMs, work));
    const settled = run.catch(() => undefined);
    this.local.set(key, settled);
    void settled.then(() => {
      if (this.local.get(key) === settled) this.local.delete(key);
    });
    return run;
  }

  close(): Promise<void> {
    return this.session.close();
  }

  private async holding<T>(key: number, waitLimitMs: number, work: () => Promise<T>): Promise<T> {
    if (await this.session.tryLock(key)) {
      try {
        return await work();
      } finally {
        // Not waited for: the session runs its statements in order, so this process's next lock of the key comes
        // after it, and the caller does not wait a round trip for another replica's benefit.
        void this.session.unlock(key);
      }
    }
    return this.waitingConnections.run(() => this.waitThenRun(key, waitLimitMs, work));
  }

  /** Waits in PostgreSQL's queue for the lock on a pooled connection, which holds it until `work` is done. */
  private async waitThenRun<T>(key: number, waitLimitMs: number, work: () => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      // One round trip. The transaction only bounds the wait (lock_timeout); the lock is the session's and outlives
      // it. Several statements take no parameters: every value here is an integer of ours.
      await runner.query(
        `BEGIN; SET LOCAL lock_timeout = ${waitLimitMs}; ` +
          `SELECT pg_advisory_lock(${this.namespace}, ${key}); COMMIT`,
      );
    } catch (error) {
      await runner.query('ROLLBACK').then(
        () => runner.release(),
        (failed: unknown) => closeConnection(runner, failed),
      );
      if ((error as { driverError?: { code?: string } }).driverError?.code !== LOCK_NOT_AVAILABLE) throw error;
      throw new LockWaitTimeout(waitLimitMs);
    }
    try {
      return await work();
    } finally {
      try {
        await runner.query('SELECT pg_advisory_unlock($1, $2)', [this.namespace, key]);
        await runner.release();
      } catch (error) {
        // A connection that may still hold the lock never goes back to the pool: it is closed (its locks go with it).
        await closeConnection(runner, error);
      }
    }
  }
}

/**
 * The connection this process keeps for taking free locks without waiting. Its queries run one after another;
 * when it fails it is dropped (its locks went with it) and the next lock opens another.
 */
class LockSession {
  private runner: Promise<QueryRunner> | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly namespace: number,
  ) {}

  /** True when the lock was free and is now held here; false when another replica holds it or the session failed. */
  async tryLock(key: number): Promise<boolean> {
    const rows = await this.query<Array<{ locked: boolean }>>('SELECT pg_try_advisory_lock($1, $2) AS locked', key);
    return rows?.[0]?.locked === true;
  }

  async unlock(key: number): Promise<void> {
    await this.query('SELECT pg_advisory_unlock($1, $2)', key);
  }

  async close(): Promise<void> {
    const runner = this.runner;
    this.runner = null;
    await runner?.then((open) => closeConnection(open, new Error('lock session closed'))).catch(() => undefined);
  }

  /** Runs one lock statement on the session; null when the session failed (it is then dropped). */
  private query<T>(sql: string, key: number): Promise<T | null> {
    const run = this.queue.then(async () => {
      const opened = (this.runner ??= this.open());
      try {
        return (await (await opened).query(sql, [this.namespace, key])) as T;
      } catch (error) {
        // Closed, not given back to the pool: a session that may still hold locks must end for them to go.
        if (this.runner === opened) this.runner = null;
        void opened.then((runner) => closeConnection(runner, error)).catch(() => undefined);
        return null;
      }
    });
    this.queue = run;
    return run;
  }

  private async open(): Promise<QueryRunner> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    return runner;
  }
}

/** Closes a pooled connection instead of giving it back (the pool drops a connection released with an error). */
function closeConnection(runner: QueryRunner, error: unknown): Promise<void> {
  return (runner as QueryRunner & { releasePostgresConnection(error: unknown): Promise<void> })
    .releasePostgresConnection(error)
    .catch(() => undefined);
}
