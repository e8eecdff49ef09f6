import { MigrationInterface, QueryRunner } from 'typeorm';

/** The users list sorted by expiry (either way), walked on an index like the other orders. */
export class UsersByExpiry1764910000000 implements MigrationInterface {
  name = 'UsersByExpiry1764910000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX vpn_users_live_by_expiry ON vpn_users (expires_at, id) WHERE deleted_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX vpn_users_live_by_expiry`);
  }
}
