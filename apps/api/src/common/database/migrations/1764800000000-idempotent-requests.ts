import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An `Idempotency-Key` names one request: who sent it, to which route, with which body (a SHA-256 of the body in a
 * canonical form), so a reuse for anything else is refused instead of answered with the first request's result.
 * Keys were kept per user before; they now share one namespace (the newest use of a key is kept). A key used before
 * this version has no fingerprint and matches no request (a retry across the upgrade is refused, never applied twice).
 */
export class IdempotentRequests1764800000000 implements MigrationInterface {
  name = 'IdempotentRequests1764800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey`);
    await db.query(`
      DELETE FROM idempotency_keys older USING idempotency_keys newer
       WHERE older.key = newer.key AND (older.created_at, older.scope) < (newer.created_at, newer.scope)`);
    await db.query(`ALTER TABLE idempotency_keys RENAME COLUMN scope TO route`);
    await db.query(`
      ALTER TABLE idempotency_keys
        ALTER COLUMN route TYPE varchar(200),
        ADD COLUMN principal varchar(64),
        ADD COLUMN body_hash char(64),
        ADD PRIMARY KEY (key)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey`);
    // Back to per-user scopes: `extend` by user id or by telegram id; anything else has no scope there.
    await db.query(`
      UPDATE idempotency_keys SET route = 'extend:user:' || substring(route FROM '^POST /api/v1/users/(\\d+)/extend$')
       WHERE route ~ '^POST /api/v1/users/\\d+/extend$'`);
    await db.query(`
      UPDATE idempotency_keys k SET route = 'extend:user:' || u.id
        FROM vpn_users u
       WHERE k.route ~ '^POST /api/v1/keys/\\d+/extend$'
         AND u.telegram_id = substring(k.route FROM '^POST /api/v1/keys/(\\d+)/extend$')::bigint`);
    await db.query(`DELETE FROM idempotency_keys WHERE route NOT LIKE 'extend:user:%'`);
    await db.query(`ALTER TABLE idempotency_keys RENAME COLUMN route TO scope`);
    await db.query(`
      ALTER TABLE idempotency_keys
        DROP COLUMN principal,
        DROP COLUMN body_hash,
        ALTER COLUMN scope TYPE varchar(64),
        ADD PRIMARY KEY (scope, key)`);
  }
}
