import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BackgroundLoop } from '../../common/background/background-loop';
import { eachLimited } from '../../common/batching/each-limited';
import { LockKey } from '../../common/database/advisory-lock';
import { runFleetTask } from '../../common/background/fleet-task';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { NodesService } from '../nodes/nodes.service';
import { HealthRepository } from './health.repository';
import { CheckOutcome, NodeCheckService } from './node-check.service';
import { sweepFigures } from './recent-health';

const TASK = 'health-sweep';

export interface SweepResult {
  swept: boolean;
  nodes: number;
  ms: number;
}

/**
 * Every HEALTH_INTERVAL_MS, checks all nodes with bounded parallelism, each within HEALTH_TIMEOUT_MS, so a sweep of
 * many dead nodes takes about one timeout. One replica sweeps per tick: the sweep holds an advisory lock and records
 * its start in `task_runs`; another replica that finds the lock taken, or a sweep started less than an interval ago,
 * skips. Old history is pruned by housekeeping, on its own schedule.
 */
@Injectable()
export class HealthSweepService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(HealthSweepService.name);
  private readonly loop = new BackgroundLoop(TASK, () => this.sweep());

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly nodes: NodesService,
    private readonly checks: NodeCheckService,
    private readonly health: HealthRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.healthIntervalMs > 0) this.loop.start(this.scheduler, this.config.healthIntervalMs);
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.idle();
  }

  async sweep(): Promise<SweepResult> {
    const started = performance.now();
    const outcome = await runFleetTask(
      this.dataSource,
      { name: TASK, lock: LockKey.HealthSweep, intervalMs: this.config.healthIntervalMs },
      async () => (await this.checkAll()).length,
    );
    if (!outcome.ran) return { swept: false, nodes: 0, ms: 0 };
    return { swept: true, nodes: outcome.result, ms: Math.round(performance.now() - started) };
  }

  /**
   * Checks every node now, HEALTH_CONCURRENCY at a time (also what `POST /nodes/check-health` runs), and records the
   * sweep's fleet figures.
   */
  async checkAll(): Promise<Array<CheckOutcome & { nodeId: number }>> {
    const all = await this.nodes.findAll();
    const outcomes: Array<CheckOutcome & { nodeId: number }> = [];
    await eachLimited(all, this.config.healthConcurrency, async (node) => {
      try {
        outcomes.push({ nodeId: node.id, ...(await this.checks.check(node)) });
      } catch (error) {
        this.logger.error(`check of ${node.name} failed: ${(error as Error).message}`);
      }
    });
    if (outcomes.length) await this.health.insertSweep(sweepFigures(outcomes));
    return outcomes.sort((a, b) => a.nodeId - b.nodeId);
  }
}
