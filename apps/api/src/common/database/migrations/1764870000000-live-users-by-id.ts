import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The users list pages through the users not deleted, by id: this index answers it from the index alone (a page deep
 * in the list walks index entries only, not every row before it).
 */
export class LiveUsersById1764870000000 implements MigrationInterface {
  name = 'LiveUsersById1764870000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX vpn_users_live_by_id ON vpn_users (id) WHERE deleted_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX vpn_users_live_by_id`);
  }
}
