import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { HealthStatus, NodeServerFigures, NodeStatus } from '@fleet/contract';
import type { LinkInbound } from '@fleet/xui-client';
import { numberColumn } from '../../common/database/number-column';

export type InboundSnapshot = LinkInbound & { id: number };

/** A node's server figures as stored: the view's, without the time they were read (`figuresAt`). */
export type StoredServerFigures = Omit<NodeServerFigures, 'at'>;

/** One 3x-ui panel. Secrets are stored encrypted (see SecretBox) and never leave the service layer. */
@Entity('nodes')
export class NodeEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  location: string | null;

  @Column({ name: 'group_id', type: 'integer' })
  groupId: number;

  @Column({ name: 'panel_url', type: 'varchar', length: 2048 })
  panelUrl: string;

  @Column({ name: 'panel_username', type: 'varchar', length: 255 })
  panelUsername: string;

  /** Encrypted. */
  @Column({ name: 'panel_password', type: 'text' })
  panelPasswordEncrypted: string;

  /** Encrypted; Bearer token for v3 panels. */
  @Column({ name: 'panel_api_token', type: 'text', nullable: true })
  panelApiTokenEncrypted: string | null;

  @Column({ name: 'inbound_id', type: 'integer', nullable: true })
  inboundId: number | null;

  /** The inbound as last read from the panel, without its clients: what share links are built from. */
  @Column({ name: 'inbound_snapshot', type: 'jsonb', nullable: true })
  inboundSnapshot: InboundSnapshot | null;

  @Column({ name: 'public_host', type: 'varchar', length: 255, nullable: true })
  publicHost: string | null;

  @Column({ name: 'tls_verify', type: 'boolean', default: true })
  tlsVerify: boolean;

  @Column({ name: 'max_users', type: 'integer', default: 1000 })
  maxUsers: number;

  @Column({ name: 'current_users', type: 'integer', default: 0 })
  currentUsers: number;

  @Column({ type: 'integer', default: 100 })
  priority: number;

  @Column({ type: 'double precision', default: 1 })
  weight: number;

  /** Traffic through this node counts × this against quotas. */
  @Column({
    name: 'usage_multiplier',
    type: 'numeric',
    precision: 6,
    scale: 3,
    default: 1,
    transformer: numberColumn,
  })
  usageMultiplier: number;

  /** The last time the usage pass booked this node's counters. */
  @Column({ name: 'usage_collected_at', type: 'timestamptz', nullable: true })
  usageCollectedAt: Date | null;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: NodeStatus;

  @Column({ name: 'health_status', type: 'varchar', length: 16, default: 'unknown' })
  healthStatus: HealthStatus;

  @Column({ name: 'last_health_check', type: 'timestamptz', nullable: true })
  lastHealthCheck: Date | null;

  @Column({ name: 'response_time_ms', type: 'integer', nullable: true })
  responseTimeMs: number | null;

  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 })
  consecutiveFailures: number;

  @Column({ name: 'consecutive_successes', type: 'integer', default: 0 })
  consecutiveSuccesses: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  /** What the panel's `server/status` last reported, bounded before it was written. */
  @Column({ name: 'server_figures', type: 'jsonb', nullable: true })
  serverFigures: StoredServerFigures | null;

  @Column({ name: 'figures_at', type: 'timestamptz', nullable: true })
  figuresAt: Date | null;

  /** CPU_BUSY_PERCENT when the last figures showed the CPU above it; with `cpuBusyUntil`, null otherwise. */
  @Column({ name: 'cpu_busy_above', type: 'smallint', nullable: true })
  cpuBusyAbove: number | null;

  /** Until when the busy CPU keeps the node from taking new users (a few health intervals after the figures). */
  @Column({ name: 'cpu_busy_until', type: 'timestamptz', nullable: true })
  cpuBusyUntil: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
