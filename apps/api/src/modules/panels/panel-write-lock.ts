import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, QueryRunner } from 'typeorm';
import { PanelError } from '@fleet/xui-client';
import { Semaphore } from '../../common/batching/semaphore';
import { LockKey } from '../../common/database/advisory-lock';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';

/** Pooled connections of this process that may wait for other replicas' panel writes at once (the pool has 20). */
const MAX_WAITING_CONNECTIONS = 4;
/** A write waits this many panel timeouts for another replica's write to the same panel, then fails. */
const WAIT_PANEL_TIMEOUTS = 3;
/** PostgreSQL: lock_timeout ran out. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * One writer at a time per 3x-ui panel across every replica (a v2.x panel loses one of two overlapping writes): a
 * session-level PostgreSQL advisory lock per panel, held only while the write runs, never inside a transaction.
 *
 * Connections: a free lock is taken on one connection this process keeps for that (`pg_try_advisory_lock`, which never
 * waits), so writes to any number of panels cost no pooled connection. Only a panel another replica is writing to
 * right now is waited for on a pooled connection (PostgreSQL queues the waiters in order, so replicas take turns);
 * at most MAX_WAITING_CONNECTIONS do that at once, the rest wait in this process without a connection.
 */
@Injectable()
export class PanelWriteLock implements OnModuleDestroy {
  private readonly local = new Map<number, Promise<unknown>>();
  private readonly waitingConnections = new Semaphore(MAX_WAITING_CONNECTIONS);
  private readonly session: LockSession;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.session = new LockSession(dataSource);
  }

  /** Runs `work` as the only writer to the panel at `panelUrl` among all replicas. */
  run<T>(panelUrl: string, work: () => Promise<T>): Promise<T> {
    const key = panelLockKey(panelUrl);
    // Within this process, one after another per panel (nodes sharing a panel included): advisory locks are
    // re-entrant within a session, so the lock session alone would not keep two local writers apart.
    const previous = this.local.get(key) ?? Promise.resolve();
    const run = previous.then(() => this.holding(key, work));
    const settled = run.catch(() => undefined);
    this.local.set(key, settled);
    void settled.then(() => {
      if (this.local.get(key) === settled) this.local.delete(key);
    });
    return run;
  }

  onModuleDestroy(): Promise<void> {
    return this.session.close();
  }

  private async holding<T>(key: number, work: () => Promise<T>): Promise<T> {
    if (await this.session.tryLock(key)) {
      try {
        return await work();
      } finally {
        // Not waited for: the session runs its statements in order, so this process's next lock of the panel comes
        // after it, and the write's caller does not wait a round trip for another replica's benefit.
        void this.session.unlock(key);
      }
    }
    return this.waitingConnections.run(() => this.waitThenRun(key, work));
  }

  /** Waits in PostgreSQL's queue for the lock on a pooled connection, which holds it until `work` is done. */
  private async waitThenRun<T>(key: number, work: () => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      // One round trip. The transaction only bounds the wait (lock_timeout); the lock is the session's and outlives
      // it. Several statements take no parameters: every value here is an integer of ours.
      await runner.query(
        `BEGIN; SET LOCAL lock_timeout = ${this.waitLimitMs()}; ` +
          `SELECT pg_advisory_lock(${LockKey.PanelWrite}, ${key}); COMMIT`,
      );
    } catch (error) {
      await runner.query('ROLLBACK').then(
        () => runner.release(),
        (failed: unknown) => closeConnection(runner, failed),
      );
      if ((error as { driverError?: { code?: string } }).driverError?.code !== LOCK_NOT_AVAILABLE) throw error;
      throw new PanelError(
        'unreachable',
        'panel write',
        `timed out after ${this.waitLimitMs()} ms waiting for another replica's write to this panel`,
        { reason: 'timeout' },
      );
    }
    try {
      return await work();
    } finally {
      try {
        await runner.query('SELECT pg_advisory_unlock($1, $2)', [LockKey.PanelWrite, key]);
        await runner.release();
      } catch (error) {
        // A connection that may still hold the lock never goes back to the pool: it is closed (its locks go with it).
        await closeConnection(runner, error);
      }
    }
  }

  private waitLimitMs(): number {
    return WAIT_PANEL_TIMEOUTS * this.config.panelTimeoutMs;
  }
}

/**
 * The connection this process keeps for taking free panel locks without waiting. Its queries run one after another;
 * when it fails it is dropped (its locks went with it) and the next lock opens another.
 */
class LockSession {
  private runner: Promise<QueryRunner> | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

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
        return (await (await opened).query(sql, [LockKey.PanelWrite, key])) as T;
      } catch (error) {
        // Closed, not given back to the pool: a session that may still hold panel locks must end for them to go.
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

/**
 * A panel's lock key: its URL without the scheme (host, port, web base path), hashed to 32 bits. Nodes that share a
 * panel share its lock; two panels whose keys collide only take turns needlessly.
 */
export function panelLockKey(panelUrl: string): number {
  let identity = panelUrl;
  try {
    const url = new URL(panelUrl);
    identity = `${url.host}${url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`}`;
  } catch {
    // not a URL (never accepted for a node): the text itself is the identity
  }
  return createHash('sha256').update(identity).digest().readInt32BE(0);
}
