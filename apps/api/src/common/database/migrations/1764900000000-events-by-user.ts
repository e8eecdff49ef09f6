import { MigrationInterface, QueryRunner } from 'typeorm';

/** A user's events, newest first (the events page filtered by user; the support view's history). */
export class EventsByUser1764900000000 implements MigrationInterface {
  name = 'EventsByUser1764900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE INDEX events_user_created_at ON events (user_id, created_at DESC, id DESC) WHERE user_id IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX events_user_created_at`);
  }
}
