import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EventType } from '@fleet/contract';
import { BackgroundLoop } from '../../common/background/background-loop';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { AssignmentsRepository } from '../assignments/assignments.repository';
import { BulkMoveResult, BulkMoveService } from '../assignments/bulk-move.service';
import type { MoveOptions } from '../assignments/user-move.service';
import { EventsService } from '../events/events.service';
import { MetricsService } from '../metrics/metrics.service';
import { NodesRepository } from '../nodes/nodes.repository';
import { NodesService } from '../nodes/nodes.service';
import { Job, JobItem } from './job.entity';

/** An item is given up after this many failed attempts. */
const MAX_ATTEMPTS = 5;

const REASON: Record<Job['kind'], MoveOptions['reason']> = {
  rebalance: 'rebalance',
  failover: 'failover',
  'node-delete': 'node-delete',
  drain: 'drain',
};

/**
 * Runs migration jobs. A job is claimed with a lease (JOB_LEASE_SECONDS, renewed while it runs) through SKIP LOCKED, so one
 * replica runs it; when that replica dies, the lease runs out and another resumes from the items still pending.
 * Items run with bounded concurrency; moves to one panel are batched by the panel write queue.
 */
@Injectable()
export class JobRunnerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(JobRunnerService.name);
  private readonly owner = randomUUID().slice(0, 12);
  private readonly loop = new BackgroundLoop('jobs', () => this.runAvailable());
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly assignments: AssignmentsRepository,
    private readonly moves: BulkMoveService,
    private readonly nodes: NodesRepository,
    private readonly nodesService: NodesService,
    private readonly events: EventsService,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start(this.scheduler, this.config.backgroundTickMs);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.loop.idle();
  }

  /** Starts work on new jobs now rather than at the next tick. */
  kick(): void {
    void this.loop.kick();
  }

  async runAvailable(): Promise<void> {
    for (let job = await this.claim(); job && !this.stopping; job = await this.claim()) await this.run(job);
  }

  private async claim(): Promise<Job | null> {
    // An UPDATE through TypeORM's query() answers [rows, affected count].
    const [rows]: [Array<{ id: number }>, number] = await this.dataSource.query(
      `UPDATE jobs SET status = 'running', lease_owner = $1, lease_until = now() + make_interval(secs => $2),
              started_at = COALESCE(started_at, now())
        WHERE id = (SELECT id FROM jobs WHERE status IN ('pending', 'running')
                      AND (lease_until IS NULL OR lease_until < now())
                    ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [this.owner, this.config.jobLeaseSeconds],
    );
    return rows.length ? this.dataSource.getRepository(Job).findOneBy({ id: rows[0].id }) : null;
  }

  private async renewLease(jobId: number): Promise<boolean> {
    const result = await this.dataSource.query(
      `UPDATE jobs SET lease_until = now() + make_interval(secs => $3) WHERE id = $1 AND lease_owner = $2`,
      [jobId, this.owner, this.config.jobLeaseSeconds],
    );
    return result[1] > 0;
  }

  private async run(job: Job): Promise<void> {
    let stalledReported = false;
    while (!this.stopping && (await this.renewLease(job.id))) {
      const items = await this.dataSource
        .getRepository(JobItem)
        .createQueryBuilder('i')
        .where(`i.job_id = :id AND i.state = 'pending'`, { id: job.id })
        .orderBy('i.attempts')
        .addOrderBy('i.id')
        .limit(this.config.jobConcurrency)
        .getMany();
      if (!items.length) return this.finish(job);
      const result = await this.moves.moveMany(
        items.map(({ userId, fromNodeId, toNodeId }) => ({ userId, fromNodeId, toNodeId })),
        {
          reason: REASON[job.kind],
          actor: `job:${job.id}`,
          jobId: job.id,
          cleanSource: job.kind !== 'failover', // a dead panel would only make the batch wait for its timeout
        },
      );
      const settled = await this.settle(job, items, result);
      if (settled > 0) continue;
      if (job.kind === 'failover') {
        // No seat anywhere: keep the users queued and try again as capacity returns.
        if (!stalledReported) await this.reportStalled(job);
        stalledReported = true;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(1000, this.config.backgroundTickMs * 5)));
    }
  }

  private async reportStalled(job: Job): Promise<void> {
    const [{ left }] = await this.dataSource.query(
      `SELECT count(*)::int AS left FROM job_items WHERE job_id = $1 AND state = 'pending'`,
      [job.id],
    );
    this.logger.error(`failover job ${job.id}: no node can take ${left} users; they stay queued`);
    await this.events.record({
      type: EventType.FailoverStalled,
      actor: `job:${job.id}`,
      nodeId: job.nodeId,
      payload: { jobId: job.id, waiting: left },
    });
  }

  /**
   * Records a batch's outcome: moved users done; failures retried up to MAX_ATTEMPTS, except that a user whose move
   * is under way elsewhere is waited for, and a failover never gives a user up for lack of seats (it waits for
   * capacity). Returns how many items were settled.
   */
  private async settle(job: Job, items: JobItem[], result: BulkMoveResult): Promise<number> {
    const byUser = new Map(items.map((item) => [item.userId, item]));
    const done = result.done.map((userId) => byUser.get(userId)!.id);
    const givenUp: Array<{ id: string; error: string }> = [];
    const retried: Array<{ id: string; attempts: number; error: string }> = [];
    for (const failure of result.failed) {
      const item = byUser.get(failure.userId)!;
      // Waiting is not failing: for a move under way elsewhere (e.g. crash recovery), or for seats in a failover.
      const waits = failure.busy || (job.kind === 'failover' && failure.noCapacity);
      const attempts = waits ? item.attempts : item.attempts + 1;
      if (attempts >= MAX_ATTEMPTS) givenUp.push({ id: item.id, error: failure.error });
      else retried.push({ id: item.id, attempts, error: failure.error });
    }
    return this.dataSource.transaction(async (manager) => {
      const [, doneCount] = await manager.query(
        `UPDATE job_items SET state = 'done', error = NULL WHERE id = ANY($1::bigint[]) AND state = 'pending'`,
        [done],
      );
      const [, failedCount] = await manager.query(
        `UPDATE job_items i SET state = 'failed', error = f.error
           FROM unnest($1::bigint[], $2::text[]) AS f(id, error) WHERE i.id = f.id AND i.state = 'pending'`,
        [givenUp.map((f) => f.id), givenUp.map((f) => f.error)],
      );
      await manager.query(
        `UPDATE job_items i SET attempts = r.attempts, error = r.error
           FROM unnest($1::bigint[], $2::int[], $3::text[]) AS r(id, attempts, error) WHERE i.id = r.id`,
        [retried.map((r) => r.id), retried.map((r) => r.attempts), retried.map((r) => r.error)],
      );
      await manager.query(`UPDATE jobs SET done = done + $2, failed = failed + $3 WHERE id = $1`, [
        job.id,
        doneCount,
        failedCount,
      ]);
      return doneCount + failedCount;
    });
  }

  private async finish(job: Job): Promise<void> {
    const current = (await this.dataSource.getRepository(Job).findOneBy({ id: job.id }))!;
    let error = current.failed ? `${current.failed} of ${current.total} users could not be moved` : null;
    if (job.kind === 'node-delete' && job.nodeId !== null) {
      error = (await this.deleteNodeIfEmpty(job)) ?? error;
    }
    const status = error && job.kind === 'node-delete' ? 'failed' : 'completed';
    await this.dataSource.query(
      `UPDATE jobs SET status = $2, error = $3, finished_at = now(), lease_owner = NULL, lease_until = NULL WHERE id = $1`,
      [job.id, status, error],
    );
    if (job.kind === 'failover') await this.failoverCompleted(current);
    await this.events.record({
      type: EventType.JobFinished,
      actor: `job:${job.id}`,
      nodeId: job.nodeId,
      payload: { jobId: job.id, kind: job.kind, status, done: current.done, failed: current.failed },
    });
    this.logger.log(`job ${job.id} (${job.kind}) ${status}: ${current.done} moved, ${current.failed} failed`);
  }

  /** The alert (and webhook) that a dead node's users are all serving elsewhere, with how long it took. */
  private async failoverCompleted(job: Job): Promise<void> {
    const seconds = (Date.now() - job.createdAt.getTime()) / 1000;
    this.metrics.failoverSeconds.observe(seconds);
    this.metrics.failoverUsers.inc(job.done);
    await this.events.record({
      type: EventType.FailoverCompleted,
      actor: `job:${job.id}`,
      nodeId: job.nodeId,
      payload: { jobId: job.id, usersMoved: job.done, usersFailed: job.failed, seconds: Math.round(seconds * 10) / 10 },
    });
  }

  /** The node goes once nobody is left on it; otherwise it stays (inactive) and the job reports why. */
  private async deleteNodeIfEmpty(job: Job): Promise<string | null> {
    const node = await this.nodes.findById(job.nodeId!);
    if (!node) return null;
    try {
      await this.nodesService.remove(node.id, job.createdBy);
      return null;
    } catch (error) {
      return `node not deleted: ${(error as Error).message}`;
    }
  }
}
