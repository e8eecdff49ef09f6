import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { numberColumn } from '../../common/database/number-column';

/** Audit and alert log: who did what to which node or user. */
@Entity('events')
export class EventEntity {
  @PrimaryColumn({ type: 'bigint', generated: 'increment', transformer: numberColumn })
  id: number;

  @Column({ type: 'varchar', length: 64 })
  type: string;

  @Column({ name: 'node_id', type: 'integer', nullable: true })
  nodeId: number | null;

  @Column({ name: 'user_id', type: 'integer', nullable: true })
  userId: number | null;

  @Column({ type: 'varchar', length: 255 })
  actor: string;

  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  payload: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
