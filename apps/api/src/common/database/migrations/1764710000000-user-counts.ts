import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Users by status without counting them: `user_counts` holds the totals, and triggers append each change to
 * `user_count_changes` (a row per inserting or deleting statement, two per user whose status or deletion changed:
 * appends only, so concurrent writers never wait on each other). A read sums both tables; housekeeping folds the
 * changes into the totals. Updates that leave status and deletion alone (usage, cursors) fire nothing.
 */
export class UserCounts1764710000000 implements MigrationInterface {
  name = 'UserCounts1764710000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE user_counts (
        status varchar(16) NOT NULL,
        deleted boolean NOT NULL,
        n bigint NOT NULL,
        PRIMARY KEY (status, deleted)
      )`);
    await db.query(`
      CREATE TABLE user_count_changes (
        id bigserial PRIMARY KEY,
        status varchar(16) NOT NULL,
        deleted boolean NOT NULL,
        n bigint NOT NULL
      )`);
    await db.query(`
      CREATE FUNCTION count_inserted_users() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO user_count_changes (status, deleted, n)
        SELECT status, deleted_at IS NOT NULL, count(*) FROM inserted_users GROUP BY 1, 2;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE FUNCTION count_deleted_users() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO user_count_changes (status, deleted, n)
        SELECT status, deleted_at IS NOT NULL, -count(*) FROM deleted_users GROUP BY 1, 2;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE FUNCTION count_changed_user() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO user_count_changes (status, deleted, n)
        VALUES (OLD.status, OLD.deleted_at IS NOT NULL, -1), (NEW.status, NEW.deleted_at IS NOT NULL, 1);
        RETURN NULL;
      END $$`);
    await db.query(`LOCK TABLE vpn_users IN SHARE ROW EXCLUSIVE MODE`);
    await db.query(`
      CREATE TRIGGER vpn_users_count_inserts AFTER INSERT ON vpn_users REFERENCING NEW TABLE AS inserted_users
      FOR EACH STATEMENT EXECUTE FUNCTION count_inserted_users()`);
    await db.query(`
      CREATE TRIGGER vpn_users_count_deletes AFTER DELETE ON vpn_users REFERENCING OLD TABLE AS deleted_users
      FOR EACH STATEMENT EXECUTE FUNCTION count_deleted_users()`);
    await db.query(`
      CREATE TRIGGER vpn_users_count_changes AFTER UPDATE OF status, deleted_at ON vpn_users FOR EACH ROW
      WHEN (OLD.status IS DISTINCT FROM NEW.status OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL))
      EXECUTE FUNCTION count_changed_user()`);
    await db.query(`
      INSERT INTO user_counts (status, deleted, n)
      SELECT status, deleted_at IS NOT NULL, count(*) FROM vpn_users GROUP BY 1, 2`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER vpn_users_count_changes ON vpn_users`);
    await db.query(`DROP TRIGGER vpn_users_count_deletes ON vpn_users`);
    await db.query(`DROP TRIGGER vpn_users_count_inserts ON vpn_users`);
    await db.query(`DROP FUNCTION count_changed_user, count_deleted_users, count_inserted_users`);
    await db.query(`DROP TABLE user_count_changes`);
    await db.query(`DROP TABLE user_counts`);
  }
}
