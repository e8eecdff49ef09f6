import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { numberColumn } from '../../common/database/number-column';

/**
 * A client that must be deleted from a panel. Written in the transaction that releases the assignment, carried out
 * right after, and kept (retried) while the panel is unreachable, so a revived node cannot keep serving a moved user.
 */
@Entity('panel_tombstones')
export class Tombstone {
  @PrimaryColumn({ type: 'bigint', generated: 'increment', transformer: numberColumn })
  id: number;

  @Column({ name: 'node_id', type: 'integer' })
  nodeId: number;

  @Column({ name: 'inbound_id', type: 'integer' })
  inboundId: number;

  @Column({ name: 'client_email', type: 'varchar', length: 255 })
  clientEmail: string;

  @Column({ name: 'client_uuid', type: 'uuid', nullable: true })
  clientUuid: string | null;

  @Column({ type: 'varchar', length: 32 })
  reason: string;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
