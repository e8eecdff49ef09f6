import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { TopUserView } from '@fleet/contract';
import { BackgroundLoop } from '../../common/background/background-loop';
import { runFleetTask } from '../../common/background/fleet-task';
import { LockKey } from '../../common/database/advisory-lock';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { UsageHistoryRepository } from './usage-history.repository';

const TASK = 'top-users';
/** The window and depth the snapshot keeps: the dashboard's view (others are computed when asked). */
export const KEPT_HOURS = 24;
export const KEPT_USERS = 100;

/**
 * The top users of the last 24 h, recomputed every TOP_USERS_REFRESH_MS by one replica (advisory lock and a record
 * per run) and read from that snapshot; with 0, or before the first snapshot, computed at each request.
 */
@Injectable()
export class TopUsersService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly loop = new BackgroundLoop(TASK, () => this.refresh());

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly usage: UsageHistoryRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.topUsersRefreshMs > 0) {
      this.loop.start(this.scheduler, this.config.topUsersRefreshMs);
      void this.loop.kick();
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.idle();
  }

  async top(hours: number, limit: number): Promise<TopUserView[]> {
    if (this.config.topUsersRefreshMs > 0 && hours === KEPT_HOURS && limit <= KEPT_USERS) {
      const kept = await this.usage.keptTopUsers(limit);
      if (kept.length) return kept;
    }
    return this.usage.topUsers(new Date(Date.now() - hours * 3_600_000), limit);
  }

  /** Recomputes the snapshot unless another replica did within the interval. */
  async refresh(): Promise<boolean> {
    const outcome = await runFleetTask(
      this.dataSource,
      { name: TASK, lock: LockKey.TopUsers, intervalMs: this.config.topUsersRefreshMs },
      () => this.usage.keepTopUsers(new Date(Date.now() - KEPT_HOURS * 3_600_000), KEPT_USERS),
    );
    return outcome.ran;
  }
}
