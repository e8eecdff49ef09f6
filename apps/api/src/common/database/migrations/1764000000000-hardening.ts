import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Login throttling shared by every replica (the layout rate-limiter-flexible's PostgreSQL store expects), a token
 * version per admin so sessions can be revoked, and at most one unfinished deletion job per node.
 */
export class Hardening1764000000000 implements MigrationInterface {
  name = 'Hardening1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE login_throttle (
        key    varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      )`);
    await db.query(`ALTER TABLE admins ADD COLUMN token_version integer NOT NULL DEFAULT 0`);
    await db.query(
      `CREATE UNIQUE INDEX jobs_one_unfinished_node_delete ON jobs (node_id)
       WHERE kind = 'node-delete' AND status IN ('pending', 'running')`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX jobs_one_unfinished_node_delete`);
    await db.query(`ALTER TABLE admins DROP COLUMN token_version`);
    await db.query(`DROP TABLE login_throttle`);
  }
}
