import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A bot user. `uuid` is the client id used on every panel for the user's whole life. */
@Entity('vpn_users')
export class VpnUser {
  @PrimaryGeneratedColumn()
  id: number;

  /** bigint comes back from pg as a string; ids stay below 2^53 by contract. */
  @Column({ name: 'telegram_id', type: 'bigint', nullable: true, unique: true })
  telegramId: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  username: string | null;

  @Column({ type: 'uuid', unique: true })
  uuid: string;

  @Column({ name: 'subscription_token', type: 'varchar', length: 64, unique: true })
  subscriptionToken: string;

  /** `bot` (created through the keys API) or `adopted` (imported from a panel). */
  @Column({ type: 'varchar', length: 16, default: 'bot' })
  source: 'bot' | 'adopted';

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
