import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The top users of the last 24 h as last computed: summing every hourly row of a day is a scan of up to one row per
 * user and hour (about a second at 100,000 users), so it runs every TOP_USERS_REFRESH_MS, not per request.
 */
export class TopUsers1764740000000 implements MigrationInterface {
  name = 'TopUsers1764740000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE usage_top_users (
        rank integer PRIMARY KEY,
        user_id integer NOT NULL,
        up bigint NOT NULL,
        down bigint NOT NULL
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE usage_top_users`);
  }
}
