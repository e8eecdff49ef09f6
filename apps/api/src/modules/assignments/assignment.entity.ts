import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { numberColumn } from '../../common/database/number-column';

export type AssignmentState = 'pending' | 'active' | 'released';

/**
 * A user's seat: which node serves them in one group of their plan. `pending`: capacity reserved and the panel
 * client being created; `active`: serving; `released`: history. At most one active and one pending row per (user,
 * group), and one live row per (user, node) (partial unique indexes).
 */
@Entity('assignments')
export class Assignment {
  @PrimaryColumn({ type: 'bigint', generated: 'increment', transformer: numberColumn })
  id: number;

  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  @Column({ name: 'node_id', type: 'integer' })
  nodeId: number;

  /** The plan group this seat stands for: moves keep it within the group's nodes. */
  @Column({ name: 'group_id', type: 'integer' })
  groupId: number;

  @Column({ name: 'inbound_id', type: 'integer' })
  inboundId: number;

  @Column({ name: 'client_email', type: 'varchar', length: 255 })
  clientEmail: string;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  state: AssignmentState;

  @Column({ name: 'assigned_at', type: 'timestamptz', default: () => 'now()' })
  assignedAt: Date;

  @Column({ name: 'released_at', type: 'timestamptz', nullable: true })
  releasedAt: Date | null;

  /** The user's access version this panel client carries (behind the user's: a change still to apply). */
  @Column({ name: 'access_version', type: 'integer', default: 0 })
  accessVersion: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
