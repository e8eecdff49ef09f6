import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Users deleted while a job was moving them: their items end `gone` (counted as done, and apart in `jobs.gone`), not
 * retried until they fail.
 */
export class JobGoneUsers1764830000000 implements MigrationInterface {
  name = 'JobGoneUsers1764830000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE jobs ADD COLUMN gone integer NOT NULL DEFAULT 0`);
    await db.query(`ALTER TABLE job_items DROP CONSTRAINT job_items_state_check`);
    await db.query(
      `ALTER TABLE job_items ADD CONSTRAINT job_items_state_check CHECK (state IN ('pending', 'done', 'failed', 'gone'))`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`UPDATE job_items SET state = 'done' WHERE state = 'gone'`);
    await db.query(`ALTER TABLE job_items DROP CONSTRAINT job_items_state_check`);
    await db.query(
      `ALTER TABLE job_items ADD CONSTRAINT job_items_state_check CHECK (state IN ('pending', 'done', 'failed'))`,
    );
    await db.query(`ALTER TABLE jobs DROP COLUMN gone`);
  }
}
