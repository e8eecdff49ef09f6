import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BackgroundLoop } from '../../common/background/background-loop';
import { LockKey, tryAdvisoryLock } from '../../common/database/advisory-lock';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { PlacementService } from './placement.service';
import { SeatWaitsRepository } from './seat-waits.repository';

/** Waiting seats tried per round. */
const BATCH = 500;

/**
 * Seats of users' plans that no node of their group could take yet: tried again, longest waiting first, with a pause
 * that grows with each failed try, on one replica at a time. A seat placed, or whose group left the plan (or whose
 * user was deleted), waits no more.
 */
@Injectable()
export class SeatWaitsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly loop = new BackgroundLoop('seat-waits', () => this.runDue());

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly waits: SeatWaitsRepository,
    private readonly placement: PlacementService,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start(this.scheduler, Math.max(this.config.backgroundTickMs, 1000) * 5);
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.idle();
  }

  /** Tries the user's waiting seats now (their plan just changed); answers how many were placed. */
  async placeFor(userId: number): Promise<number> {
    return this.placement.placeWaiting(await this.waits.ofUser(userId));
  }

  /** Seats waiting for capacity, fleet-wide. */
  count(): Promise<number> {
    return this.waits.count();
  }

  /** One round over the due seats (every due seat while rounds place some); answers how many were placed. */
  async runDue(): Promise<number> {
    const outcome = await tryAdvisoryLock(this.dataSource, LockKey.SeatWaits, async () => {
      let placed = 0;
      for (;;) {
        const due = await this.waits.due(BATCH);
        const round = await this.placement.placeWaiting(due);
        placed += round;
        if (due.length < BATCH || round === 0 || this.loop.stopping) return placed;
      }
    });
    return outcome.ran ? outcome.result : 0;
  }
}
