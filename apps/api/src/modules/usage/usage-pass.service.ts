import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { PanelError } from '@fleet/xui-client';
import { DataSource } from 'typeorm';
import { BackgroundLoop } from '../../common/background/background-loop';
import { eachLimited } from '../../common/batching/each-limited';
import { CrashPoints } from '../../common/background/crash-points';
import { LockKey } from '../../common/database/advisory-lock';
import { runFleetTask } from '../../common/background/fleet-task';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { AccessService } from '../access/access.service';
import { AccessSyncService } from '../access/access-sync.service';
import { AssignmentsService } from '../assignments/assignments.service';
import { MetricsService, nodeLabels } from '../metrics/metrics.service';
import { NodeEntity } from '../nodes/node.entity';
import { NodesService } from '../nodes/nodes.service';
import { PanelPoolService } from '../panels/panel-pool.service';
import { RecentInbounds } from '../panels/recent-inbounds';
import { readingsOf, UsageLedger } from './usage-ledger.service';
import type { CounterReading } from './node-counters';
import { UsageHistoryRepository } from './usage-history.repository';
import type { BookingResult } from './usage.repository';

const TASK = 'usage-pass';
/** Hourly rows rolled up (and old rows pruned) per pass at most. */
const COMPACT_BATCH = 20_000;
/** Users noted at their limit, rechecked per pass at most. */
const RECHECK_BATCH = 1000;

export interface UsagePassResult {
  ran: boolean;
  nodes: number;
  /** Nodes whose panel did not answer: caught up on a later pass (the panel keeps its counters). */
  skipped: number;
  up: number;
  down: number;
  /** Cursors written. */
  rows: number;
  /** Users whose usage grew. */
  users: number;
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
    private readonly nodes: NodesService,
    private readonly pool: PanelPoolService,
    private readonly recentInbounds: RecentInbounds,
    private readonly ledger: UsageLedger,
    private readonly usage: UsageHistoryRepository,
    private readonly access: AccessService,
    private readonly sync: AccessSyncService,
    private readonly assignments: AssignmentsService,
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
    const outcome = await runFleetTask(
      this.dataSource,
      { name: TASK, lock: LockKey.UsagePass, intervalMs: this.config.usageIntervalMs, force },
      () => this.collectAll(),
    );
    if (!outcome.ran) {
      return { ran: false, nodes: 0, skipped: 0, up: 0, down: 0, rows: 0, users: 0, limited: 0, ms: 0 };
    }
    const ms = Math.round(performance.now() - started);
    this.metrics.usagePassSeconds.observe(ms / 1000);
    return { ran: true, ...outcome.result, ms };
  }

  private async collectAll(): Promise<Omit<UsagePassResult, 'ran' | 'ms'>> {
    const all = await this.nodes.findAll();
    const since = await this.ledger.clock();
    const total = { nodes: all.length, skipped: 0, up: 0, down: 0, rows: 0, users: 0, limited: 0 };
    const collected: number[] = [];
    const skip = (node: NodeEntity, error: unknown) => {
      total.skipped++;
      if (!(error instanceof PanelError)) this.logger.error(`usage of ${node.name}: ${(error as Error).message}`);
    };
    // Readers go on to the next panel while their readings are booked (in batches, by the ledger).
    const bookings: Array<Promise<void>> = [];
    await eachLimited(all, this.config.usageConcurrency, async (node) => {
      let readings: CounterReading[];
      try {
        const inbounds = await this.pool.run(node, (panel) => panel.listInbounds());
        this.recentInbounds.remember(node, inbounds); // the reconcile pass reuses it
        readings = readingsOf(inbounds, node);
      } catch (error) {
        skip(node, error);
        return;
      }
      this.crash.reach('usage:read');
      const booking = this.ledger.book(node.id, readings, since, true).then(
        async (booked) => {
          this.crash.reach('usage:booked');
          await this.afterBooking(node, booked);
          total.up += booked.up;
          total.down += booked.down;
          total.rows += booked.written;
          total.users += booked.users;
          total.limited += booked.overLimit.length;
          collected.push(node.id);
        },
        (error: unknown) => skip(node, error),
      );
      bookings.push(booking);
    });
    await Promise.all(bookings);
    await this.usage.markCollected(collected);
    await this.access.recheckNoted(RECHECK_BATCH); // this pass's spent quotas, and any a crash left noted
    await this.usage.compact(
      this.config.usageHourlyDays,
      this.config.usageRetentionDays,
      this.config.accessTimezone,
      COMPACT_BATCH,
    );
    return total;
  }

  /** What a node's booking changed for its users: metrics, `totalGB` after a counter reset. */
  private async afterBooking(node: NodeEntity, booked: BookingResult): Promise<void> {
    if (booked.up + booked.down > 0) {
      this.metrics.usageBytes.inc({ ...nodeLabels(node), direction: 'up' }, booked.up);
      this.metrics.usageBytes.inc({ ...nodeLabels(node), direction: 'down' }, booked.down);
    }
    if (booked.counterReset.length) {
      await this.assignments.markAccessStale(node.id, booked.counterReset);
      await this.sync.applyPending(node.id);
    }
  }
}
