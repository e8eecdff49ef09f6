import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { numberColumn } from '../../common/database/number-column';

/**
 * A webhook waiting for delivery; written in the same transaction as the change it announces, deleted once
 * delivered. `sequence` numbers the messages of one `subject` (`user:<id>`, `node:<id>`, `fleet`) from 1.
 */
@Entity('outbox')
export class OutboxMessage {
  @PrimaryColumn({ type: 'bigint', generated: 'increment', transformer: numberColumn })
  id: number;

  @Column({ type: 'varchar', length: 64 })
  type: string;

  @Column({ type: 'varchar', length: 40 })
  subject: string;

  @Column({ type: 'bigint', transformer: numberColumn })
  sequence: number;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
