import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { numberColumn } from '../../common/database/number-column';
import type { AccessStatus, TrafficReset } from './access-status';

/** A bot user. `uuid` is the client id used on every panel for the user's whole life. */
@Entity('vpn_users')
export class VpnUser {
  @PrimaryGeneratedColumn()
  id: number;

  /** Below 2^53 by contract. */
  @Column({ name: 'telegram_id', type: 'bigint', nullable: true, unique: true, transformer: numberColumn })
  telegramId: number | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  username: string | null;

  @Column({ type: 'uuid', unique: true })
  uuid: string;

  @Column({ name: 'subscription_token', type: 'varchar', length: 64, unique: true })
  subscriptionToken: string;

  /** `bot` (created through the keys API) or `adopted` (imported from a panel). */
  @Column({ type: 'varchar', length: 16, default: 'bot' })
  source: 'bot' | 'adopted';

  /** The admin switch, independent of the plan. */
  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'hold_days', type: 'integer', nullable: true })
  holdDays: number | null;

  @Column({ name: 'traffic_limit_bytes', type: 'bigint', default: 0, transformer: numberColumn })
  trafficLimitBytes: number;

  @Column({ name: 'traffic_reset', type: 'varchar', length: 16, default: 'none' })
  trafficReset: TrafficReset;

  @Column({ name: 'device_limit', type: 'integer', default: 0 })
  deviceLimit: number;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;

  /** The node groups of the plan: one seat (active assignment) in each; ids, in group order as of the last change. */
  @Column({ name: 'plan_groups', type: 'int', array: true, default: () => 'default_plan_groups()' })
  planGroups: number[];

  /** Traffic counted in the current period (× each node's usage multiplier), upload and download. */
  @Column({ name: 'used_bytes', type: 'bigint', default: 0, transformer: numberColumn })
  usedBytes: number;

  /** The upload part of `usedBytes`. */
  @Column({ name: 'used_up_bytes', type: 'bigint', default: 0, transformer: numberColumn })
  usedUpBytes: number;

  @Column({ name: 'period_start', type: 'timestamptz', nullable: true })
  periodStart: Date | null;

  /** When the current traffic period ends (`trafficReset`); null for `none`. */
  @Column({ name: 'next_reset_at', type: 'timestamptz', nullable: true })
  nextResetAt: Date | null;

  /** Grows with every change of the access above; panels are told each version once, never an older one. */
  @Column({ name: 'access_version', type: 'integer', default: 1 })
  accessVersion: number;

  /** When the usage ledger last saw traffic of the user (the reading's time); null: never. */
  @Column({ name: 'online_at', type: 'timestamptz', nullable: true })
  onlineAt: Date | null;

  /** The status last derived and announced (filters, the scheduled pass); the rule itself is `accessStatus`. */
  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: AccessStatus | 'deleted';

  /** The expiry a `user.expiring` warning was sent for (once per expiry). */
  @Column({ name: 'expiry_warned_for', type: 'timestamptz', nullable: true })
  expiryWarnedFor: Date | null;

  /** Revoked: no telegram id, no subscription, no client anywhere; the row stays for the history. */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
