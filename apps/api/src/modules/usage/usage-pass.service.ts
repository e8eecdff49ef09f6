import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { PanelError } from '@fleet/xui-client';
import { DataSource } from 'typeorm';
import { BackgroundLoop } from '../../common/background/background-loop';
import { CrashPoints } from '../../common/background/crash-points';
import { LockKey, tryAdvisoryLock } from '../../common/database/advisory-lock';
import { claimTick } from '../../common/database/task-runs.repository';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { AccessService } from '../access/access.service';
import { AccessSyncService } from '../access/access-sync.service';
import { AssignmentsRepository } from '../assignments/assignments.repository';
import { MetricsService } from '../metrics/metrics.service';
import { NodeEntity } from '../nodes/node.entity';
import { NodesRepository } from '../nodes/nodes.repository';
import { PanelPoolService } from '../panels/panel-pool.service';
import { readingsOf, UsageLedger } from './usage-ledger.service';
import { UsageRepository } from './usage.repository';

const TASK = 'usage-pass';
/** Hourly rows rolled up (and old rows pruned) per pass at most. */
const COMPACT_BATCH = 20_000;

export interface UsagePassResult {
  ran: boolean;
  nodes: number;
  /** Nodes whose panel did not answer: caught up on a later pass (the panel keeps its counters). */
  skipped: number;
  up: number;
  down: number;
  /** Cursors written. */
  rows: number;
  limited: number;
  ms: number;
}

/**
 * Every USAGE_INTERVAL_MS on one replica: one `inbounds/list` per node (USAGE_CONCURRENCY at a time), booked in
 * the ledger; users who reached their limit become `limited` (client disabled, `user.limited` once); clients whose
 * counter went back get their `totalGB` rewritten. Then old hourly rows are rolled up and pruned, a bounded amount.
 */
@Injectable()
export class UsagePassService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(UsagePassService.name);
  private readonly loop = new BackgroundLoop(TASK, () => this.run());

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly nodes: NodesRepository,
    private readonly pool: PanelPoolService,
    private readonly ledger: UsageLedger,
    private readonly usage: UsageRepository,
    private readonly access: AccessService,
    private readonly sync: AccessSyncService,
    private readonly assignments: AssignmentsRepository,
    private readonly metrics: MetricsService,
    private readonly crash: CrashPoints,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.usageIntervalMs > 0) this.loop.start(this.scheduler, this.config.usageIntervalMs);
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.idle();
  }

  /** One pass, unless another replica runs one or ran one less than an interval ago (`force` skips that check). */
  async run(force = false): Promise<UsagePassResult> {
    const started = performance.now();
    const outcome = await tryAdvisoryLock(this.dataSource, LockKey.UsagePass, async () => {
      const interval = (this.config.usageIntervalMs * 0.9) / 1000;
      if (!(await claimTick(this.dataSource, TASK, force ? 0 : interval))) return null;
      return this.collectAll();
    });
    if (!outcome.ran || outcome.result === null) {
      return { ran: false, nodes: 0, skipped: 0, up: 0, down: 0, rows: 0, limited: 0, ms: 0 };
    }
    const ms = Math.round(performance.now() - started);
    this.metrics.usagePassSeconds.observe(ms / 1000);
    return { ran: true, ...outcome.result, ms };
  }

  private async collectAll(): Promise<Omit<UsagePassResult, 'ran' | 'ms'>> {
    const all = await this.nodes.findAll();
    const since = await this.ledger.clock();
    const total = { nodes: all.length, skipped: 0, up: 0, down: 0, rows: 0, limited: 0 };
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(this.config.usageConcurrency, all.length) }, async () => {
        while (next < all.length) {
          const node = all[next++];
          try {
            const booked = await this.collect(node, since);
            total.up += booked.up;
            total.down += booked.down;
            total.rows += booked.rows;
            total.limited += booked.limited;
          } catch (error) {
            total.skipped++;
            if (!(error instanceof PanelError)) this.logger.error(`usage of ${node.name}: ${(error as Error).message}`);
          }
        }
      }),
    );
    await this.usage.compact(
      this.config.usageHourlyDays,
      this.config.usageRetentionDays,
      this.config.accessTimezone,
      COMPACT_BATCH,
    );
    return total;
  }

  /** Reads and books one node; then what the booking changed for its users. */
  private async collect(
    node: NodeEntity,
    since: Date,
  ): Promise<{ up: number; down: number; rows: number; limited: number }> {
    const booked = await this.ledger.collect(
      node,
      async () => {
        const readings = readingsOf(await this.pool.run(node, (panel) => panel.listInbounds()));
        this.crash.reach('usage:read');
        return readings;
      },
      since,
    );
    this.crash.reach('usage:booked');
    await this.usage.markCollected(node.id);
    if (booked.up + booked.down > 0) {
      this.metrics.usageBytes.inc({ node: node.name, direction: 'up' }, booked.up);
      this.metrics.usageBytes.inc({ node: node.name, direction: 'down' }, booked.down);
    }
    for (const userId of booked.overLimit) await this.access.recheck(userId);
    if (booked.counterReset.length) {
      await this.assignments.markAccessStale(node.id, booked.counterReset);
      await this.sync.applyPending(node.id);
    }
    return { up: booked.up, down: booked.down, rows: booked.written, limited: booked.overLimit.length };
  }
}
