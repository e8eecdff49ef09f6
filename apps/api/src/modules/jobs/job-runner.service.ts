import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { EventType } from '@fleet/contract';
import { BackgroundLoop } from '../../common/background/background-loop';
import { REPLICA_ID } from '../../common/background/replica-id';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { MoveEngine } from '../assignments/move-engine.service';
import type { MoveManyResult, MoveReason, MoveRequest, SwitchHook } from '../assignments/move.types';
import { RecoveryService } from '../assignments/recovery.service';
import { EventsService } from '../events/events.service';
import { NodesService } from '../nodes/nodes.service';
import { JobEndings } from './job-endings';
import { Job, JobItem } from './job.entity';
import { JobsRepository } from './jobs.repository';

/** An item is given up after this many failed attempts. */
const MAX_ATTEMPTS = 5;

const REASON: Record<Job['kind'], MoveReason> = {
  rebalance: 'rebalance',
  failover: 'failover',
  'node-delete': 'node-delete',
  drain: 'drain',
  regroup: 'regroup',
};

/**
 * The items of a job's batches under way, by seat (`itemKey`): their seats' switch transactions mark them done
 * (`hook`), so a moved seat's item is never left pending by a crash between the switch and the batch's bookkeeping.
 */
interface Progress {
  moving: Map<string, number>;
  hook: SwitchHook;
}

/** An item's seat: the user and the node it leaves (a user's seats are on distinct nodes). */
function itemKey(item: Pick<JobItem, 'userId' | 'fromNodeId'>): string {
  return `${item.userId}/${item.fromNodeId ?? ''}`;
}

/** What one pass over a job's pending items did. */
interface PassOutcome {
  /** Some items were pending when the pass began. */
  seen: boolean;
  /** Items done, gone or given up. */
  settled: number;
  /** A batch found no seat for its users anywhere. */
  noSeats: boolean;
}

/**
 * Runs migration jobs. A job is claimed with a lease (JOB_LEASE_SECONDS, renewed every third of it while it runs)
 * through SKIP LOCKED, so one replica runs it; when that replica dies, the lease runs out and another takes the job
 * over: it resolves the dead replica's moves under way at once (their pending rows are that replica's work) and goes
 * on with the items still pending. Items run with bounded concurrency; moves to one panel are batched by the panel
 * write queue.
 */
@Injectable()
export class JobRunnerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(JobRunnerService.name);
  private readonly owner = REPLICA_ID;
  private readonly loop = new BackgroundLoop('jobs', () => this.runAvailable());

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly jobs: JobsRepository,
    private readonly engine: MoveEngine,
    private readonly recovery: RecoveryService,
    private readonly nodes: NodesService,
    private readonly events: EventsService,
    private readonly endings: JobEndings,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start(this.scheduler, this.config.backgroundTickMs);
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.idle();
  }

  /** Starts work on new jobs now rather than at the next tick. */
  kick(): void {
    void this.loop.kick();
  }

  async runAvailable(): Promise<void> {
    while (!this.loop.stopping) {
      const claimed = await this.jobs.claim(this.owner, this.config.jobLeaseSeconds);
      if (!claimed) return;
      await this.run(claimed.job, claimed.previousOwner);
    }
  }

  private async run(job: Job, previousOwner: string | null): Promise<void> {
    const lease = this.holdLease(job);
    const moving = new Map<string, number>();
    const progress: Progress = {
      moving,
      hook: (requests, manager) =>
        this.jobs.markDone(
          job.id,
          requests.map(({ userId, fromNodeId }) => moving.get(itemKey({ userId, fromNodeId: fromNodeId ?? null }))!),
          manager,
        ),
    };
    try {
      if (previousOwner) await this.takeOver(job, previousOwner);
      let stalledReported = false;
      while (!this.loop.stopping && !lease.lost) {
        const pass = await this.pass(job, lease, progress);
        if (!pass.seen) return await this.finish(job);
        if (pass.settled > 0) continue;
        // Nothing settled: the users left wait for seats, or for moves under way elsewhere to end.
        if (job.kind === 'failover' && pass.noSeats && !stalledReported)
          stalledReported = await this.reportStalled(job);
        await this.loop.pause(Math.max(1000, this.config.backgroundTickMs * 5));
      }
    } finally {
      lease.stop();
      if (this.loop.stopping) await this.jobs.releaseLease(job.id, this.owner);
    }
  }

  /** Renews the job's lease every third of it; `lost` once another replica holds it. */
  private holdLease(job: Job): { lost: boolean; stop(): void } {
    const lease = { lost: false, stop: () => clearInterval(timer) };
    const timer = setInterval(
      () =>
        void this.jobs.renewLease(job.id, this.owner, this.config.jobLeaseSeconds).then(
          (held) => (lease.lost ||= !held),
          (error: unknown) => this.logger.warn(`job ${job.id}: lease not renewed: ${(error as Error).message}`),
        ),
      (this.config.jobLeaseSeconds * 1000) / 3,
    );
    return lease;
  }

  /**
   * The previous owner's lease ran out, so the moves it had under way are nobody's now: their pending rows are
   * resolved against the panels at once (completed where the client was made, rolled back where not) instead of
   * holding their users as busy until PENDING_TIMEOUT_SECONDS.
   */
  private async takeOver(job: Job, previousOwner: string): Promise<void> {
    const resolved = await this.recovery.resolveUsers(await this.jobs.pendingUserIds(job.id), {
      reason: REASON[job.kind],
      actor: `job:${job.id}`,
      jobId: job.id,
    });
    this.logger.warn(
      `job ${job.id} (${job.kind}) taken over from replica ${previousOwner}: ${resolved} move(s) it had under way resolved`,
    );
  }

  /**
   * One pass over the job's pending items, each handed out once, in id order: JOB_PARALLEL_BATCHES workers take
   * batches of JOB_CONCURRENCY, so one batch's panel calls overlap another's database work, and users that are busy
   * (a move under way elsewhere) are passed over for the next pass instead of holding the rest back. A batch that finds
   * no seat anywhere ends the pass (the others would find none either).
   */
  private async pass(job: Job, lease: { lost: boolean }, progress: Progress): Promise<PassOutcome> {
    const outcome: PassOutcome = { seen: false, settled: 0, noSeats: false };
    let after = 0;
    let handing: Promise<unknown> = Promise.resolve();
    const next = () => {
      const chunk = handing.then(async () => {
        if (outcome.noSeats) return [];
        const items = await this.jobs.pendingItems(job.id, this.config.jobConcurrency, after);
        if (items.length) after = items[items.length - 1].id;
        return items;
      });
      handing = chunk.catch(() => undefined);
      return chunk;
    };
    const worker = async () => {
      for (let items = await next(); items.length && !this.loop.stopping && !lease.lost; items = await next()) {
        outcome.seen = true;
        const { settled, noSeats } = await this.runBatch(job, items, progress);
        outcome.settled += settled;
        outcome.noSeats ||= noSeats;
      }
    };
    await Promise.all(Array.from({ length: this.config.jobParallelBatches }, worker));
    outcome.seen ||= (await this.jobs.countPendingItems(job.id)) > 0;
    return outcome;
  }

  private async runBatch(
    job: Job,
    items: JobItem[],
    progress: Progress,
  ): Promise<{ settled: number; noSeats: boolean }> {
    for (const item of items) progress.moving.set(itemKey(item), item.id);
    const result = await this.engine
      .moveMany(
        items.map(({ userId, fromNodeId, toNodeId }) => ({ kind: 'move' as const, userId, fromNodeId, toNodeId })),
        {
          reason: REASON[job.kind],
          actor: `job:${job.id}`,
          jobId: job.id,
          crashPoints: 'bulk',
          onSwitched: progress.hook,
        },
      )
      .finally(() => items.forEach((item) => progress.moving.delete(itemKey(item))));
    // The old clients are deleted by the tombstone loop, so a batch never waits on a source panel's deletes
    // (one per call on v2 panels) or on a dead one's timeouts.
    if (result.done.length && job.kind !== 'failover') this.recovery.kickTombstones();
    const noSeats = !result.done.length && result.failed.some((failure) => failure.code === 'no-capacity');
    return { settled: await this.settle(job, items, result), noSeats };
  }

  /**
   * `failover.stalled` (event and webhook) when no eligible node of the fallen node's group has a free seat; answers
   * whether it was reported.
   */
  private async reportStalled(job: Job): Promise<boolean> {
    // A fallen node's users' seats stay in its group: free seats elsewhere do not help them.
    const free =
      job.nodeId === null
        ? (await this.nodes.fleetCounts()).capacityFree
        : await this.nodes.freeSeatsBeside(job.nodeId);
    if (free > 0) return false;
    const left = await this.jobs.countPendingItems(job.id);
    this.logger.error(`failover job ${job.id}: no node of its group can take ${left} users; they stay queued`);
    await this.events.record({
      type: EventType.FailoverStalled,
      actor: `job:${job.id}`,
      nodeId: job.nodeId,
      payload: { jobId: job.id, waiting: left },
    });
    return true;
  }

  /**
   * Records a batch's outcome: moved users done; failures retried up to MAX_ATTEMPTS, except that a user whose move
   * is under way elsewhere is waited for, and a failover never gives a user up for lack of seats (it waits for
   * capacity). Returns how many items were settled (those switched here were marked done in their switch).
   */
  private async settle(job: Job, items: JobItem[], result: MoveManyResult): Promise<number> {
    const bySeat = new Map(items.map((item) => [itemKey(item), item]));
    const itemOf = ({ userId, fromNodeId }: MoveRequest) =>
      bySeat.get(itemKey({ userId, fromNodeId: fromNodeId ?? null }))!;
    const switched = result.done.filter((entry) => entry.switched).length;
    const done = result.done.filter((entry) => !entry.switched).map(({ request }) => itemOf(request).id);
    const gone: number[] = [];
    const givenUp: Array<{ id: number; error: string }> = [];
    const retried: Array<{ id: number; attempts: number; error: string }> = [];
    for (const failure of result.failed) {
      const item = itemOf(failure.request);
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
    return switched + (await this.jobs.settle(job.id, { done, gone, givenUp, retried }));
  }

  /** Ends the job the way its kind ends (see JobEndings), then reports it. */
  private async finish(job: Job): Promise<void> {
    const current = (await this.jobs.findById(job.id))!;
    const { error, failed } = await this.endings.closing(
      current,
      current.failed ? `${current.failed} of ${current.total} users could not be moved` : null,
    );
    const status = failed ? 'failed' : 'completed';
    if (!(await this.jobs.finish(job.id, this.owner, status, error))) return; // taken over meanwhile
    await this.endings.closed(current);
    await this.events.record({
      type: EventType.JobFinished,
      actor: `job:${job.id}`,
      nodeId: job.nodeId,
      payload: { jobId: job.id, kind: job.kind, status, done: current.done, failed: current.failed },
    });
    this.logger.log(`job ${job.id} (${job.kind}) ${status}: ${current.done} moved, ${current.failed} failed`);
  }
}
