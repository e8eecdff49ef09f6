import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, LessThan } from 'typeorm';
import { boundedCount } from '../../common/database/bounded-count';
import { sqlArray } from '../../common/database/sql-array';
import { EventType, type JobKind, type JobStatus } from '@fleet/contract';
import { Job, JobItem } from './job.entity';

export interface JobItemInput {
  userId: number;
  fromNodeId: number | null;
  toNodeId: number | null;
}

/** Every query on `jobs` and `job_items`. */
@Injectable()
export class JobsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A job row and its items, in the caller's transaction. */
  async insert(
    fields: { kind: JobKind; createdBy: string; nodeId: number | null },
    items: JobItemInput[],
    manager: EntityManager,
  ): Promise<Job> {
    const jobs = manager.getRepository(Job);
    const job = await jobs.save(jobs.create({ ...fields, total: items.length }));
    for (let i = 0; i < items.length; i += 5000) {
      const chunk = items.slice(i, i + 5000);
      await manager.query(
        `INSERT INTO job_items (job_id, user_id, from_node_id, to_node_id)
         SELECT $1, * FROM unnest($2::int[], $3::int[], $4::int[])`,
        [job.id, chunk.map((it) => it.userId), chunk.map((it) => it.fromNodeId), chunk.map((it) => it.toNodeId)],
      );
    }
    return job;
  }

  findById(id: number): Promise<Job | null> {
    return this.dataSource.getRepository(Job).findOneBy({ id });
  }

  findUnfinished(kind: JobKind, nodeId: number, manager: EntityManager): Promise<Job | null> {
    return manager.getRepository(Job).findOne({ where: { kind, nodeId, status: In(['pending', 'running']) } });
  }

  /** One page, newest first (the primary key's order), with a bounded count (`boundedCount`). */
  async page(query: {
    page: number;
    limit: number;
    after?: number;
  }): Promise<{ rows: Job[]; total: number; estimated: boolean }> {
    const [rows, count] = await Promise.all([
      this.dataSource.getRepository(Job).find({
        where: query.after === undefined ? {} : { id: LessThan(query.after) },
        order: { id: 'DESC' },
        skip: query.after === undefined ? (query.page - 1) * query.limit : 0,
        take: query.limit,
      }),
      boundedCount(this.dataSource, 'FROM jobs', [], 'jobs'),
    ]);
    return { rows, ...count };
  }

  /**
   * Takes the oldest job whose lease is free (SKIP LOCKED: replicas never take the same one); answers it with the
   * replica whose lease ran out, if another had it.
   */
  async claim(owner: string, leaseSeconds: number): Promise<{ job: Job; previousOwner: string | null } | null> {
    const [rows]: [Array<{ id: number; previous_owner: string | null }>, number] = await this.dataSource.query(
      `UPDATE jobs j SET status = 'running', lease_owner = $1, lease_until = now() + make_interval(secs => $2),
              started_at = COALESCE(j.started_at, now())
         FROM (SELECT id, lease_owner FROM jobs WHERE status IN ('pending', 'running')
                  AND (lease_until IS NULL OR lease_until < now())
                ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) previous
        WHERE j.id = previous.id
        RETURNING j.id, previous.lease_owner AS previous_owner`,
      [owner, leaseSeconds],
    );
    if (!rows.length) return null;
    const job = await this.findById(rows[0].id);
    const previous = rows[0].previous_owner;
    return job && { job, previousOwner: previous === owner ? null : previous };
  }

  /** Extends the lease while `owner` holds it; false when another replica has taken the job over. */
  async renewLease(jobId: number, owner: string, leaseSeconds: number): Promise<boolean> {
    const result = await this.dataSource.query(
      `UPDATE jobs SET lease_until = now() + make_interval(secs => $3)
        WHERE id = $1 AND lease_owner = $2 AND status = 'running'`,
      [jobId, owner, leaseSeconds],
    );
    return result[1] > 0;
  }

  /** Lets another replica take the job at once (this one is stopping). */
  async releaseLease(jobId: number, owner: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE jobs SET lease_until = now() - interval '1 second' WHERE id = $1 AND lease_owner = $2 AND status = 'running'`,
      [jobId, owner],
    );
  }

  /**
   * The next pending items after item `afterId`, in id order (a pass walks the job's items once), as plain objects:
   * the ORM's entity mapping cost more than the query itself for the thousands of items a failover hands out per batch.
   */
  async pendingItems(jobId: number, limit: number, afterId = 0): Promise<JobItem[]> {
    const rows: Array<{
      id: string;
      user_id: number;
      from_node_id: number | null;
      to_node_id: number | null;
      attempts: number;
      error: string | null;
    }> = await this.dataSource.query(
      `SELECT id, user_id, from_node_id, to_node_id, attempts, error FROM job_items
        WHERE job_id = $1 AND state = 'pending' AND id > $2 ORDER BY id LIMIT $3`,
      [jobId, afterId, limit],
    );
    return rows.map((row) => ({
      id: Number(row.id),
      jobId,
      userId: row.user_id,
      fromNodeId: row.from_node_id,
      toNodeId: row.to_node_id,
      state: 'pending' as const,
      attempts: row.attempts,
      error: row.error,
    }));
  }

  countPendingItems(jobId: number): Promise<number> {
    return this.dataSource.getRepository(JobItem).countBy({ jobId, state: 'pending' });
  }

  /** The users the job has still to move. */
  async pendingUserIds(jobId: number): Promise<number[]> {
    const rows: Array<{ user_id: number }> = await this.dataSource.query(
      `SELECT user_id FROM job_items WHERE job_id = $1 AND state = 'pending'`,
      [jobId],
    );
    return rows.map((row) => row.user_id);
  }

  /**
   * A batch's outcome in one transaction (none when there is nothing to record; a statement only for the kinds of
   * outcome present); answers how many items were settled (done, gone or given up).
   */
  async settle(
    jobId: number,
    outcome: {
      done: number[];
      /** Users deleted meanwhile: counted as done, and apart. */
      gone: number[];
      givenUp: Array<{ id: number; error: string }>;
      retried: Array<{ id: number; attempts: number; error: string }>;
    },
  ): Promise<number> {
    const { done, gone, givenUp, retried } = outcome;
    if (!done.length && !gone.length && !givenUp.length && !retried.length) return 0;
    return this.dataSource.transaction(async (manager) => {
      const doneCount = await this.markItems(manager, done, 'done');
      const goneCount = await this.markItems(manager, gone, 'gone');
      let failedCount = 0;
      if (givenUp.length) {
        [, failedCount] = await manager.query(
          `UPDATE job_items i SET state = 'failed', error = f.error
             FROM unnest($1::bigint[], $2::text[]) AS f(id, error) WHERE i.id = f.id AND i.state = 'pending'`,
          [givenUp.map((f) => f.id), givenUp.map((f) => f.error)],
        );
      }
      if (retried.length) {
        await manager.query(
          `UPDATE job_items i SET attempts = r.attempts, error = r.error
             FROM unnest($1::bigint[], $2::int[], $3::text[]) AS r(id, attempts, error) WHERE i.id = r.id`,
          [retried.map((r) => r.id), retried.map((r) => r.attempts), retried.map((r) => r.error)],
        );
      }
      const settled = Number(doneCount) + Number(goneCount) + Number(failedCount);
      if (settled) {
        await manager.getRepository(Job).update(jobId, {
          done: () => `done + ${Number(doneCount) + Number(goneCount)}`,
          failed: () => `failed + ${Number(failedCount)}`,
          gone: () => `gone + ${Number(goneCount)}`,
        });
      }
      return settled;
    });
  }

  /** Items done in the caller's transaction (their users' moves switched there), counted in the job. */
  async markDone(jobId: number, ids: number[], manager: EntityManager): Promise<void> {
    const count = await this.markItems(manager, ids, 'done');
    if (count) await manager.getRepository(Job).update(jobId, { done: () => `done + ${count}` });
  }

  /** Pending items → `state`; answers how many were still pending. */
  private async markItems(manager: EntityManager, ids: number[], state: 'done' | 'gone'): Promise<number> {
    if (!ids.length) return 0;
    const [, count] = await manager.query(
      `UPDATE job_items SET state = $2, error = NULL WHERE id = ANY($1::bigint[]) AND state = 'pending'`,
      [sqlArray(ids), state],
    );
    return Number(count);
  }

  /** Ends the job if `owner` still holds it; false when another replica has taken it over meanwhile. */
  async finish(jobId: number, owner: string, status: JobStatus, error: string | null): Promise<boolean> {
    const result = await this.dataSource
      .getRepository(Job)
      .update(
        { id: jobId, leaseOwner: owner },
        { status, error, finishedAt: () => 'now()', leaseOwner: null, leaseUntil: null },
      );
    return (result.affected ?? 0) > 0;
  }

  /** Failovers under way that reported finding no seat, and jobs that ended failed in the last 24 hours. */
  async troubles(): Promise<{ failoversStalled: number; failedLast24h: number }> {
    const [row] = await this.dataSource.query(
      `SELECT (SELECT count(*) FROM jobs j
                WHERE j.kind = 'failover' AND j.status IN ('pending', 'running')
                  AND EXISTS (SELECT 1 FROM events e
                               WHERE e.type = $1 AND e.created_at >= j.created_at
                                 AND e.payload->>'jobId' = j.id::text))::int AS stalled,
              (SELECT count(*) FROM jobs WHERE status = 'failed' AND finished_at > now() - interval '24 hours')::int AS failed`,
      [EventType.FailoverStalled],
    );
    return { failoversStalled: row.stalled, failedLast24h: row.failed };
  }

  /** Unfinished jobs and the moves still waiting in them (dashboard, metrics). */
  async backlog(): Promise<{ running: number; queuedMoves: number }> {
    const [row] = await this.dataSource.query(`
      SELECT (SELECT count(*) FROM jobs WHERE status IN ('pending', 'running'))::int AS running,
             (SELECT count(*) FROM job_items i JOIN jobs j ON j.id = i.job_id
               WHERE i.state = 'pending' AND j.status IN ('pending', 'running'))::int AS queued`);
    return { running: row.running, queuedMoves: row.queued };
  }
}
