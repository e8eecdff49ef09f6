import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PanelError } from '@fleet/xui-client';
import { LockKey } from '../../common/database/advisory-lock';
import { LockWaitTimeout, SessionAdvisoryLocks } from '../../common/database/session-advisory-locks';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';

/** Pooled connections of this process that may wait for other replicas' panel writes at once (the pool has 20). */
const MAX_WAITING_CONNECTIONS = 4;
/** A write waits this many panel timeouts for another replica's write to the same panel, then fails. */
const WAIT_PANEL_TIMEOUTS = 3;

/**
 * One writer at a time per 3x-ui panel across every replica (a v2.x panel loses one of two overlapping writes): a
 * session-level advisory lock per panel, held only while the write runs, never inside a transaction.
 */
@Injectable()
export class PanelWriteLock implements OnModuleDestroy {
  private readonly locks: SessionAdvisoryLocks;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.locks = new SessionAdvisoryLocks(dataSource, LockKey.PanelWrite, MAX_WAITING_CONNECTIONS);
  }

  /** Runs `work` as the only writer to the panel at `panelUrl` among all replicas. */
  async run<T>(panelUrl: string, work: () => Promise<T>): Promise<T> {
    try {
      return await this.locks.run(panelLockKey(panelUrl), WAIT_PANEL_TIMEOUTS * this.config.panelTimeoutMs, work);
    } catch (error) {
      if (!(error instanceof LockWaitTimeout)) throw error;
      throw new PanelError(
        'unreachable',
        'panel write',
        `timed out after ${error.waitedMs} ms waiting for another replica's write to this panel`,
        { reason: 'timeout' },
      );
    }
  }

  onModuleDestroy(): Promise<void> {
    return this.locks.close();
  }
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
