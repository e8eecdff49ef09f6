import { MigrationInterface, QueryRunner } from 'typeorm';

/** Indexes matching the lists' order exactly (newest first, ties by id), so a page is read straight off them. */
export class ListIndexes1764600000000 implements MigrationInterface {
  name = 'ListIndexes1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX events_newest ON events (created_at DESC, id DESC)`);
    await db.query(`DROP INDEX events_created_at`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX events_created_at ON events (created_at DESC)`);
    await db.query(`DROP INDEX events_newest`);
  }
}
