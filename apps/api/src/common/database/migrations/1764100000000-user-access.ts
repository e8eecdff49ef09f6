import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A user's access (the desired state every panel is made to agree with) with a version that grows on each change,
 * and on each assignment the version its panel client carries (behind = a change still to apply on that panel).
 */
export class UserAccess1764100000000 implements MigrationInterface {
  name = 'UserAccess1764100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE vpn_users
        ADD COLUMN enabled             boolean      NOT NULL DEFAULT true,
        ADD COLUMN expires_at          timestamptz,
        ADD COLUMN hold_days           integer      CHECK (hold_days BETWEEN 1 AND 3650),
        ADD COLUMN traffic_limit_bytes bigint       NOT NULL DEFAULT 0 CHECK (traffic_limit_bytes >= 0),
        ADD COLUMN traffic_reset       varchar(16)  NOT NULL DEFAULT 'none',
        ADD COLUMN device_limit        integer      NOT NULL DEFAULT 0 CHECK (device_limit BETWEEN 0 AND 100),
        ADD COLUMN note                varchar(500),
        ADD COLUMN used_bytes          bigint       NOT NULL DEFAULT 0 CHECK (used_bytes >= 0),
        ADD COLUMN period_start        timestamptz,
        ADD COLUMN access_version      integer      NOT NULL DEFAULT 1,
        ADD COLUMN deleted_at          timestamptz,
        ADD COLUMN status              varchar(16)  NOT NULL DEFAULT 'active',
        ADD COLUMN expiry_warned_for   timestamptz,
        ADD COLUMN next_reset_at       timestamptz`);
    await db.query(`CREATE INDEX vpn_users_by_next_reset ON vpn_users (next_reset_at) WHERE next_reset_at IS NOT NULL`);
    // The scheduled pass finds what changes by time through these, never by reading every user.
    await db.query(
      `CREATE INDEX vpn_users_serving_by_expiry ON vpn_users (expires_at)
       WHERE status IN ('active', 'on_hold') AND expires_at IS NOT NULL`,
    );
    await db.query(`CREATE INDEX vpn_users_by_status ON vpn_users (status, id)`);
    await db.query(`ALTER TABLE assignments ADD COLUMN access_version integer NOT NULL DEFAULT 0`);
    // The first answer to a request carrying an Idempotency-Key, kept 24 h (`extend`).
    await db.query(`
      CREATE TABLE idempotency_keys (
        scope      varchar(64)  NOT NULL,
        key        varchar(128) NOT NULL,
        response   jsonb,
        created_at timestamptz  NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, key)
      )`);
    await db.query(`CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE idempotency_keys`);
    await db.query(`ALTER TABLE assignments DROP COLUMN access_version`);
    await db.query(`
      ALTER TABLE vpn_users
        DROP COLUMN enabled, DROP COLUMN expires_at, DROP COLUMN hold_days, DROP COLUMN traffic_limit_bytes,
        DROP COLUMN traffic_reset, DROP COLUMN device_limit, DROP COLUMN note, DROP COLUMN used_bytes,
        DROP COLUMN period_start, DROP COLUMN access_version, DROP COLUMN deleted_at, DROP COLUMN status,
        DROP COLUMN expiry_warned_for, DROP COLUMN next_reset_at`);
  }
}
