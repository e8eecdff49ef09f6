import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BackgroundLoop } from '../../common/background/background-loop';
import { LockKey } from '../../common/database/advisory-lock';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { NodesRepository } from '../nodes/nodes.repository';
import { CheckOutcome, NodeCheckService } from './node-check.service';

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
 * skips. Old history is pruned after each sweep.
 */
@Injectable()
export class HealthSweepService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(HealthSweepService.name);
  private readonly loop = new BackgroundLoop(TASK, () => this.sweep());

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly nodes: NodesRepository,
    private readonly checks: NodeCheckService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.healthIntervalMs > 0) this.loop.start(this.scheduler, this.config.healthIntervalMs);
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.idle();
  }

  async sweep(): Promise<SweepResult> {
    const started = performance.now();
    const lock = this.dataSource.createQueryRunner();
    await lock.connect();
    try {
      const [{ locked }] = await lock.query('SELECT pg_try_advisory_lock($1) AS locked', [LockKey.HealthSweep]);
      if (!locked) return { swept: false, nodes: 0, ms: 0 };
      try {
        if (!(await this.claimTick(lock.query.bind(lock)))) return { swept: false, nodes: 0, ms: 0 };
        const outcomes = await this.checkAll();
        await this.dataSource.query(`DELETE FROM health_checks WHERE checked_at < now() - make_interval(days => $1)`, [
          this.config.healthRetentionDays,
        ]);
        return { swept: true, nodes: outcomes.length, ms: Math.round(performance.now() - started) };
      } finally {
        await lock.query('SELECT pg_advisory_unlock($1)', [LockKey.HealthSweep]);
      }
    } finally {
      await lock.release();
    }
  }

  /** Checks every node now, HEALTH_CONCURRENCY at a time (also what `POST /nodes/check-health` runs). */
  async checkAll(): Promise<Array<CheckOutcome & { nodeId: number }>> {
    const all = await this.nodes.findAll();
    const outcomes: Array<CheckOutcome & { nodeId: number }> = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(this.config.healthConcurrency, all.length) }, async () => {
        while (next < all.length) {
          const node = all[next++];
          try {
            outcomes.push({ nodeId: node.id, ...(await this.checks.check(node)) });
          } catch (error) {
            this.logger.error(`check of ${node.name} failed: ${(error as Error).message}`);
          }
        }
      }),
    );
    return outcomes.sort((a, b) => a.nodeId - b.nodeId);
  }

  /** True when no replica has swept within the last 90 % of an interval (and records this sweep). */
  private async claimTick(query: (sql: string, params: unknown[]) => Promise<unknown[]>): Promise<boolean> {
    const rows = await query(
      `INSERT INTO task_runs (name, last_run_at) VALUES ($1, now())
       ON CONFLICT (name) DO UPDATE SET last_run_at = now()
        WHERE task_runs.last_run_at < now() - make_interval(secs => $2)
       RETURNING name`,
      [TASK, (this.config.healthIntervalMs * 0.9) / 1000],
    );
    return rows.length > 0;
  }
}
