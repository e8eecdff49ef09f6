import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BackgroundLoop } from '../../common/background/background-loop';
import { LockKey, tryAdvisoryLock } from '../../common/database/advisory-lock';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { inboundClients } from '@fleet/xui-client';
import { NodesService } from '../nodes/nodes.service';
import { PanelPoolService } from '../panels/panel-pool.service';
import { UsersService } from '../users/users.service';
import { AccessService } from './access.service';
import { IdempotencyRepository } from './idempotency.repository';

/** Users handled per step of one pass; more wait for the next pass. */
const BATCH = 1000;

/**
 * What time changes, every ACCESS_INTERVAL_MS on one replica: plans whose expiry passed (status, event, panel
 * client) and quotas the usage ledger found spent, warnings ACCESS_EXPIRY_WARNING_HOURS before an expiry, and traffic periods that ended. Due users are found through indexes on the
 * due times, so a pass costs what changes, not what the fleet holds.
 */
@Injectable()
export class AccessPassService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly loop = new BackgroundLoop('access-pass', () => this.run());

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly users: UsersService,
    private readonly access: AccessService,
    private readonly idempotency: IdempotencyRepository,
    private readonly nodes: NodesService,
    private readonly pool: PanelPoolService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.accessIntervalMs > 0) this.loop.start(this.scheduler, this.config.accessIntervalMs);
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.idle();
  }

  /** One pass (or nothing, when another replica runs one): how many users expired, were warned, were reset. */
  async run(): Promise<{ expired: number; warned: number; reset: number; started: number }> {
    const outcome = await tryAdvisoryLock(this.dataSource, LockKey.AccessPass, async () => {
      const expired = await this.users.dueToExpire(BATCH);
      for (const userId of expired) await this.access.recheck(userId);
      await this.access.recheckNoted(BATCH); // quotas the usage ledger found spent
      const warned = await this.users.dueForWarning(this.config.accessExpiryWarningHours, BATCH);
      for (const userId of warned) await this.access.warnExpiring(userId);
      const reset = await this.users.dueForReset(BATCH);
      for (const userId of reset) await this.access.periodEnded(userId);
      const started = await this.heldPlansStarted();
      await this.idempotency.prune();
      return { expired: expired.length, warned: warned.length, reset: reset.length, started };
    });
    return outcome.ran ? outcome.result : { expired: 0, warned: 0, reset: 0, started: 0 };
  }

  /**
   * Held plans whose first traffic the panel has seen: one inbound read per node that serves held users; a client
   * whose `expiryTime` turned positive started its plan then. Unreachable panels are asked again next pass.
   */
  private async heldPlansStarted(): Promise<number> {
    const held = await this.users.heldOnNodes(BATCH);
    let started = 0;
    for (const nodeId of new Set(held.map((row) => row.nodeId))) {
      const node = await this.nodes.findById(nodeId);
      if (!node?.inboundId) continue;
      const inboundId = node.inboundId;
      const clients = await this.pool.run(node, (panel) => panel.getInbound(inboundId)).then(inboundClients, () => []);
      const expiryOf = new Map(clients.map((client) => [client.email.toLowerCase(), Number(client.expiryTime) || 0]));
      for (const row of held.filter((candidate) => candidate.nodeId === nodeId)) {
        const expiry = expiryOf.get(row.clientEmail.toLowerCase()) ?? 0;
        if (expiry <= 0) continue;
        await this.access.firstUse(row.userId, new Date(expiry));
        started++;
      }
    }
    return started;
  }
}
