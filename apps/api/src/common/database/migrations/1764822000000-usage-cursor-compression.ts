import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A node's cursor row is rewritten at every usage pass (some 14 kB per 200 clients): lz4 compresses it for a third
 * of pglz's CPU, where the server is built with it (the embedded server is not: it keeps pglz).
 */
export class UsageCursorCompression1764822000000 implements MigrationInterface {
  name = 'UsageCursorCompression1764822000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      DO $$ BEGIN
        ALTER TABLE usage_node_cursors ALTER COLUMN clients SET COMPRESSION lz4;
      EXCEPTION WHEN feature_not_supported THEN NULL;
      END $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE usage_node_cursors ALTER COLUMN clients SET COMPRESSION default`);
  }
}
