import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ErrorCode, EventType, JobKind, JobView, Page } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { EventsService } from '../events/events.service';
import { Job } from './job.entity';
import { JobItemInput, JobsRepository } from './jobs.repository';

export type { JobItemInput } from './jobs.repository';

/** Durable migration jobs: a job row and one item per user, written in one transaction. */
@Injectable()
export class JobsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jobs: JobsRepository,
    private readonly events: EventsService,
  ) {}

  async create(
    kind: JobKind,
    items: JobItemInput[],
    options: { actor: string; nodeId?: number | null },
    manager?: EntityManager,
  ): Promise<Job> {
    const work = async (tx: EntityManager) => {
      const nodeId = options.nodeId ?? null;
      const job = await this.jobs.insert({ kind, createdBy: options.actor, nodeId }, items, tx);
      await this.events.record(
        {
          type: EventType.JobStarted,
          actor: options.actor,
          nodeId,
          payload: { jobId: job.id, kind, total: items.length },
        },
        tx,
      );
      return job;
    };
    return manager ? work(manager) : this.dataSource.transaction(work);
  }

  /** The job of this kind for this node that has not finished yet, if any. */
  findUnfinished(kind: JobKind, nodeId: number, manager: EntityManager): Promise<Job | null> {
    return this.jobs.findUnfinished(kind, nodeId, manager);
  }

  /** Failovers stuck for lack of seats, and jobs failed in the last 24 hours (the dashboard's attention). */
  troubles(): Promise<{ failoversStalled: number; failedLast24h: number }> {
    return this.jobs.troubles();
  }

  /** Unfinished jobs and the moves still waiting in them (dashboard, metrics). */
  backlog(): Promise<{ running: number; queuedMoves: number }> {
    return this.jobs.backlog();
  }

  /** Newest first; by key with `after` (a page's `nextCursor`), else by page number. */
  async list(query: { page: number; limit: number; after?: number }): Promise<Page<JobView>> {
    const { rows, total, estimated } = await this.jobs.page(query);
    return {
      items: rows.map(mapJob),
      total,
      page: query.page,
      limit: query.limit,
      totalEstimated: estimated,
      nextCursor: rows.length === query.limit ? String(rows[rows.length - 1].id) : null,
    };
  }

  async get(id: number): Promise<JobView> {
    const job = await this.jobs.findById(id);
    if (!job) throw new DomainError(ErrorCode.JobNotFound, `job ${id} not found`);
    return mapJob(job);
  }
}

export function mapJob(job: Job): JobView {
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    nodeId: job.nodeId,
    total: job.total,
    done: job.done,
    failed: job.failed,
    gone: job.gone,
    error: job.error,
    createdBy: job.createdBy,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    leaseOwner: job.leaseOwner,
    leaseExpiresAt: job.leaseUntil?.toISOString() ?? null,
  };
}
