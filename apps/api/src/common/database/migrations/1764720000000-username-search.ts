import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Username search (`ILIKE '%part%'`) from a trigram index instead of reading every user. pg_trgm ships with
 * PostgreSQL (contrib) and is a trusted extension: the database's owner may create it.
 */
export class UsernameSearch1764720000000 implements MigrationInterface {
  name = 'UsernameSearch1764720000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await db.query(`CREATE INDEX vpn_users_username_trgm ON vpn_users USING gin (username gin_trgm_ops)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX vpn_users_username_trgm`);
  }
}
