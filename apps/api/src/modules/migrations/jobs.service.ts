import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { ErrorCode, EventType, JobKind, JobView, Page } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { EventsService } from '../events/events.service';
import { Job } from './job.entity';

export interface JobItemInput {
  userId: number;
  fromNodeId: number | null;
  toNodeId: number | null;
}

/** Durable migration jobs: a job row and one item per user, written in one transaction. */
@Injectable()
export class JobsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: EventsService,
  ) {}

  async create(
    kind: JobKind,
    items: JobItemInput[],
    options: { actor: string; nodeId?: number | null },
    manager?: EntityManager,
  ): Promise<Job> {
    const work = async (tx: EntityManager) => {
      const job = await tx
        .getRepository(Job)
        .save(
          tx
            .getRepository(Job)
            .create({ kind, total: items.length, createdBy: options.actor, nodeId: options.nodeId ?? null }),
        );
      for (let i = 0; i < items.length; i += 5000) {
        const chunk = items.slice(i, i + 5000);
        await tx.query(
          `INSERT INTO job_items (job_id, user_id, from_node_id, to_node_id)
           SELECT $1, * FROM unnest($2::int[], $3::int[], $4::int[])`,
          [job.id, chunk.map((it) => it.userId), chunk.map((it) => it.fromNodeId), chunk.map((it) => it.toNodeId)],
        );
      }
      await this.events.record(
        {
          type: EventType.JobStarted,
          actor: options.actor,
          nodeId: options.nodeId ?? null,
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
    return manager.getRepository(Job).findOne({ where: { kind, nodeId, status: In(['pending', 'running']) } });
  }

  async list(page: number, limit: number): Promise<Page<JobView>> {
    const [rows, total] = await this.dataSource
      .getRepository(Job)
      .findAndCount({ order: { id: 'DESC' }, skip: (page - 1) * limit, take: limit });
    return { items: rows.map(mapJob), total, page, limit };
  }

  async get(id: number): Promise<JobView> {
    const job = await this.dataSource.getRepository(Job).findOneBy({ id });
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
    error: job.error,
    createdBy: job.createdBy,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}
