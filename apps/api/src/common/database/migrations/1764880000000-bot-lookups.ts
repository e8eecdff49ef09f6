import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the bot looks users up by and reads of them: the username, exactly and case-insensitively (Telegram's rule),
 * among users not deleted; and when the ledger last saw the user's traffic.
 */
export class BotLookups1764880000000 implements MigrationInterface {
  name = 'BotLookups1764880000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX vpn_users_by_username ON vpn_users (lower(username), id) WHERE deleted_at IS NULL`);
    await db.query(`ALTER TABLE vpn_users ADD COLUMN online_at timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE vpn_users DROP COLUMN online_at`);
    await db.query(`DROP INDEX vpn_users_by_username`);
  }
}
