import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BackgroundLoop } from '../../common/background/background-loop';
import { runFleetTask } from '../../common/background/fleet-task';
import { LockKey } from '../../common/database/advisory-lock';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { EventsService } from '../events/events.service';
import { HealthHistoryService } from '../health/health-history.service';
import { UsersService } from '../users/users.service';

const TASK = 'housekeeping';
/** Rows of each history table deleted per run at most. */
const PRUNE_BATCH = 5000;

/**
 * Every HOUSEKEEPING_INTERVAL_MS, one replica (advisory lock and a record per run, like the other fleet tasks) folds
 * the user counts' changes into their totals and deletes health history and events past their retention, a bounded
 * batch of each, so the tables stay bounded without a long delete (a backlog is worked off over several runs).
 */
@Injectable()
export class HousekeepingService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly loop = new BackgroundLoop(TASK, () => this.tick());

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly users: UsersService,
    private readonly checks: HealthHistoryService,
    private readonly events: EventsService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.housekeepingIntervalMs > 0) this.loop.start(this.scheduler, this.config.housekeepingIntervalMs);
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.idle();
  }

  /** This tick's housekeeping, unless another replica runs it or ran it less than an interval ago. */
  async tick(): Promise<boolean> {
    const outcome = await runFleetTask(
      this.dataSource,
      { name: TASK, lock: LockKey.Housekeeping, intervalMs: this.config.housekeepingIntervalMs },
      () => this.run(),
    );
    return outcome.ran;
  }

  /** Housekeeping now; answers how many checks and events were deleted. */
  async run(): Promise<{ checks: number; events: number }> {
    await this.users.foldCounts();
    return {
      checks: await this.checks.prune(this.config.healthRetentionDays, PRUNE_BATCH),
      events: await this.events.prune(this.config.eventsRetentionDays, PRUNE_BATCH),
    };
  }
}
