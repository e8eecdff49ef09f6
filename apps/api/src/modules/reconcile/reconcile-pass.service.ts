import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BackgroundLoop } from '../../common/background/background-loop';
import { eachLimited } from '../../common/batching/each-limited';
import { LockKey } from '../../common/database/advisory-lock';
import { runFleetTask } from '../../common/background/fleet-task';
import { DomainError } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { correctionsMade } from '../nodes/node-drift';
import { NodesService } from '../nodes/nodes.service';
import { ReconcileService } from './reconcile.service';

const TASK = 'reconcile-pass';
/** Nodes reconciled at once. */
const CONCURRENCY = 8;

/** Every RECONCILE_INTERVAL_MS on one replica: every node reconciled; a node that does not answer waits for the next. */
@Injectable()
export class ReconcilePassService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReconcilePassService.name);
  private readonly loop = new BackgroundLoop(TASK, () => this.run());

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly nodes: NodesService,
    private readonly reconcile: ReconcileService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.reconcileIntervalMs > 0) this.loop.start(this.scheduler, this.config.reconcileIntervalMs);
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.idle();
  }

  /**
   * One pass over every node (unless another replica runs one, or ran one less than an interval ago: `force` skips
   * that check): how many nodes were reconciled and how many corrections were written.
   */
  async run(force = false): Promise<{ ran: boolean; nodes: number; corrected: number }> {
    const outcome = await runFleetTask(
      this.dataSource,
      { name: TASK, lock: LockKey.ReconcilePass, intervalMs: this.config.reconcileIntervalMs, force },
      async () => {
        let reconciled = 0;
        let corrected = 0;
        await eachLimited(await this.nodes.findAll(), CONCURRENCY, async (node) => {
          try {
            // what the last usage pass read (one interval ago at most, a minute when the loop is off)
            const reuseWithinMs = this.config.usageIntervalMs || 60_000;
            corrected += correctionsMade((await this.reconcile.reconcileNode(node, { reuseWithinMs })).corrected);
            reconciled++;
          } catch (error) {
            if (!(error instanceof DomainError))
              this.logger.error(`reconcile of ${node.name}: ${(error as Error).message}`);
          }
        });
        return { nodes: reconciled, corrected };
      },
    );
    if (!outcome.ran) return { ran: false, nodes: 0, corrected: 0 };
    return { ran: true, ...outcome.result };
  }
}
