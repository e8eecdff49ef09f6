import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { JobKind, JobStatus } from '@fleet/contract';
import { numberColumn } from '../../common/database/number-column';

/** A durable batch of user moves (rebalance, failover, node deletion, drain); resumable by any replica. */
@Entity('jobs')
export class Job {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 32 })
  kind: JobKind;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: JobStatus;

  @Column({ name: 'node_id', type: 'integer', nullable: true })
  nodeId: number | null;

  @Column({ type: 'integer', default: 0 })
  total: number;

  @Column({ type: 'integer', default: 0 })
  done: number;

  @Column({ type: 'integer', default: 0 })
  failed: number;

  /** Users deleted before or while the job moved them (counted in `done`: nothing is left to move). */
  @Column({ type: 'integer', default: 0 })
  gone: number;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'created_by', type: 'varchar', length: 255 })
  createdBy: string;

  @Column({ name: 'lease_owner', type: 'varchar', length: 64, nullable: true })
  leaseOwner: string | null;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}

/** One user to move. `toNodeId` null: the balancer picks the target when the item runs. */
@Entity('job_items')
export class JobItem {
  @PrimaryColumn({ type: 'bigint', generated: 'increment', transformer: numberColumn })
  id: number;

  @Column({ name: 'job_id', type: 'integer' })
  jobId: number;

  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  @Column({ name: 'from_node_id', type: 'integer', nullable: true })
  fromNodeId: number | null;

  @Column({ name: 'to_node_id', type: 'integer', nullable: true })
  toNodeId: number | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  state: 'pending' | 'done' | 'failed' | 'gone';

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'text', nullable: true })
  error: string | null;
}
