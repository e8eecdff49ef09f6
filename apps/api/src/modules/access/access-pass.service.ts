import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BackgroundLoop } from '../../common/background/background-loop';
import { LockKey, tryAdvisoryLock } from '../../common/database/advisory-lock';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { UsersRepository } from '../users/users.repository';
import { AccessService } from './access.service';
import { IdempotencyRepository } from './idempotency.repository';

/** Users handled per step of one pass; more wait for the next pass. */
const BATCH = 1000;

/**
 * What time changes, every ACCESS_INTERVAL_MS on one replica: plans whose expiry passed (status, event, panel
 * client), warnings ACCESS_EXPIRY_WARNING_HOURS before an expiry, and traffic periods that ended. Due users are found through indexes on the
 * due times, so a pass costs what changes, not what the fleet holds.
 */
@Injectable()
export class AccessPassService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly loop = new BackgroundLoop('access-pass', () => this.run());

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly users: UsersRepository,
    private readonly access: AccessService,
    private readonly idempotency: IdempotencyRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.accessIntervalMs > 0) this.loop.start(this.scheduler, this.config.accessIntervalMs);
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.idle();
  }

  /** One pass (or nothing, when another replica runs one): how many users expired, were warned, were reset. */
  async run(): Promise<{ expired: number; warned: number; reset: number }> {
    const outcome = await tryAdvisoryLock(this.dataSource, LockKey.AccessPass, async () => {
      const expired = await this.users.dueToExpire(BATCH);
      for (const userId of expired) await this.access.recheck(userId);
      const warned = await this.users.dueForWarning(this.config.accessExpiryWarningHours, BATCH);
      for (const userId of warned) await this.access.warnExpiring(userId);
      const reset = await this.users.dueForReset(BATCH);
      for (const userId of reset) await this.access.periodEnded(userId);
      await this.idempotency.prune();
      return { expired: expired.length, warned: warned.length, reset: reset.length };
    });
    return outcome.ran ? outcome.result : { expired: 0, warned: 0, reset: 0 };
  }
}
