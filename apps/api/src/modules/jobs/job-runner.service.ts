import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { randomUUID } from 'node:crypto';
import { EventType } from '@fleet/contract';
import { BackgroundLoop } from '../../common/background/background-loop';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { MoveEngine, MoveManyResult, MoveReason } from '../assignments/move-engine.service';
import { RecoveryService } from '../assignments/recovery.service';
import { TombstonesService } from '../assignments/tombstones.service';
import { EventsService } from '../events/events.service';
import { MetricsService } from '../metrics/metrics.service';
import { NodesRepository } from '../nodes/nodes.repository';
import { NodesService } from '../nodes/nodes.service';
import { Job, JobItem } from './job.entity';
import { JobsRepository } from './jobs.repository';

/** An item is given up after this many failed attempts. */
const MAX_ATTEMPTS = 5;

const REASON: Record<Job['kind'], MoveReason> = {
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
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly jobs: JobsRepository,
    private readonly engine: MoveEngine,
    private readonly recovery: RecoveryService,
    private readonly tombstones: TombstonesService,
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

  private claim(): Promise<Job | null> {
    return this.jobs.claim(this.owner, this.config.jobLeaseSeconds);
  }

  private async run(job: Job): Promise<void> {
    let stalledReported = false;
    while (!this.stopping && (await this.jobs.renewLease(job.id, this.owner, this.config.jobLeaseSeconds))) {
      const { seen, settled } = await this.pump(job);
      if (!seen) return this.finish(job);
      if (settled > 0) continue;
      if (job.kind === 'failover') {
        // No seat anywhere: keep the users queued and try again as capacity returns.
        if (!stalledReported) await this.reportStalled(job);
        stalledReported = true;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(1000, this.config.backgroundTickMs * 5)));
    }
  }

  /**
   * JOB_PARALLEL_BATCHES workers take batches of the job's pending items until none is left or a batch settles
   * nothing, so one batch's panel calls always overlap another's database work. Items are handed out under a
   * lock and never to two workers at once.
   */
  private async pump(job: Job): Promise<{ seen: boolean; settled: number }> {
    const inFlight = new Set<string>();
    let handing: Promise<unknown> = Promise.resolve();
    let seen = false;
    let settled = 0;
    const next = () => {
      const chunk = handing.then(async () => {
        const items = await this.jobs.pendingItems(job.id, this.config.jobConcurrency, [...inFlight]);
        for (const item of items) inFlight.add(item.id);
        return items;
      });
      handing = chunk.catch(() => undefined);
      return chunk;
    };
    const worker = async () => {
      for (let items = await next(); items.length && !this.stopping; items = await next()) {
        seen = true;
        const count = await this.runBatch(job, items);
        settled += count;
        for (const item of items) inFlight.delete(item.id);
        if (count === 0) return;
      }
    };
    await Promise.all(Array.from({ length: this.config.jobParallelBatches }, worker));
    return { seen: seen || (await this.jobs.countPendingItems(job.id)) > 0, settled };
  }

  private async runBatch(job: Job, items: JobItem[]): Promise<number> {
    const result = await this.engine.moveMany(
      items.map(({ userId, fromNodeId, toNodeId }) => ({ kind: 'move' as const, userId, fromNodeId, toNodeId })),
      { reason: REASON[job.kind], actor: `job:${job.id}`, jobId: job.id, crashPoints: 'bulk' },
    );
    // The old clients are deleted by the tombstone loop, so a batch never waits on a source panel's deletes
    // (one per call on v2 panels) or on a dead one's timeouts.
    if (result.done.length && job.kind !== 'failover') this.recovery.kickTombstones();
    return this.settle(job, items, result);
  }

  private async reportStalled(job: Job): Promise<void> {
    const left = await this.jobs.countPendingItems(job.id);
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
  private async settle(job: Job, items: JobItem[], result: MoveManyResult): Promise<number> {
    const byUser = new Map(items.map((item) => [item.userId, item]));
    const done = result.done.map(({ userId }) => byUser.get(userId)!.id);
    const gone: string[] = [];
    const givenUp: Array<{ id: string; error: string }> = [];
    const retried: Array<{ id: string; attempts: number; error: string }> = [];
    for (const failure of result.failed) {
      const item = byUser.get(failure.userId)!;
      if (failure.code === 'user-gone') {
        gone.push(item.id);
        continue;
      }
      // Waiting is not failing: for a move under way elsewhere (e.g. crash recovery), or for seats in a failover.
      const noCapacity = failure.code === 'no-capacity' || failure.code === 'target-ineligible';
      const waits = failure.code === 'busy' || (job.kind === 'failover' && noCapacity);
      const attempts = waits ? item.attempts : item.attempts + 1;
      if (attempts >= MAX_ATTEMPTS) givenUp.push({ id: item.id, error: failure.error });
      else retried.push({ id: item.id, attempts, error: failure.error });
    }
    return this.jobs.settle(job.id, { done, gone, givenUp, retried });
  }

  private async finish(job: Job): Promise<void> {
    const current = (await this.jobs.findById(job.id))!;
    let error = current.failed ? `${current.failed} of ${current.total} users could not be moved` : null;
    if (job.kind === 'node-delete' && job.nodeId !== null) {
      error = (await this.deleteNodeIfEmpty(job)) ?? error;
    }
    const status = error && job.kind === 'node-delete' ? 'failed' : 'completed';
    await this.jobs.finish(job.id, status, error);
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
    // The moved users' clients leave the retired panel first (tombstones go with the node).
    await this.tombstones.runDue({ nodeId: node.id });
    try {
      await this.nodesService.remove(node.id, job.createdBy);
      return null;
    } catch (error) {
      return `node not deleted: ${(error as Error).message}`;
    }
  }
}
