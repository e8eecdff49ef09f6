import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Telegram alerts through the outbox: a subject belongs to a channel (`webhook`, or `telegram`, whose subjects are
 * its chats, `telegram:<chat id>`), and each channel's deliveries claim only its own subjects (the due index leads
 * with the channel). `alert_latches` holds what must happen once for the whole fleet: the day whose digest was sent,
 * and whether failing webhook delivery has been announced (set until it recovers).
 */
export class TelegramAlerts1764930000000 implements MigrationInterface {
  name = 'TelegramAlerts1764930000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE outbox_subjects ADD COLUMN channel varchar(16) NOT NULL DEFAULT 'webhook'`);
    await db.query(`ALTER TABLE outbox_subjects ALTER COLUMN channel DROP DEFAULT`);
    await db.query(
      `ALTER TABLE outbox_subjects ADD CONSTRAINT outbox_subjects_channel CHECK (channel IN ('webhook', 'telegram'))`,
    );
    await db.query(`DROP INDEX outbox_subjects_due`);
    await db.query(
      `CREATE INDEX outbox_subjects_due ON outbox_subjects (channel, next_attempt_at)
        WHERE delivered_sequence < last_sequence`,
    );
    await db.query(`
      CREATE TABLE alert_latches (
        name   varchar(40) PRIMARY KEY,
        value  varchar(40) NOT NULL,
        set_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE alert_latches`);
    // Alerts not sent yet go with their channel; webhooks stay queued.
    await db.query(
      `DELETE FROM outbox WHERE subject IN (SELECT subject FROM outbox_subjects WHERE channel <> 'webhook')`,
    );
    await db.query(`DELETE FROM outbox_subjects WHERE channel <> 'webhook'`);
    await db.query(`DROP INDEX outbox_subjects_due`);
    await db.query(
      `CREATE INDEX outbox_subjects_due ON outbox_subjects (next_attempt_at) WHERE delivered_sequence < last_sequence`,
    );
    await db.query(`ALTER TABLE outbox_subjects DROP COLUMN channel`);
  }
}
