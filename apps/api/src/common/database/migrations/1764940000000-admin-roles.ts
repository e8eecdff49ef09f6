import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Admin accounts get a role and can be disabled; the admins that existed could do everything, so they become owners.
 * API tokens get scopes (their former role's set), an optional expiry, and their role becomes the preset they were
 * made from (`admin` is now called `owner`). The scope lists are written out: they are what the roles meant here.
 */
export class AdminRoles1764940000000 implements MigrationInterface {
  name = 'AdminRoles1764940000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE admins ADD COLUMN role varchar(16) NOT NULL DEFAULT 'owner'`);
    await db.query(`ALTER TABLE admins ALTER COLUMN role DROP DEFAULT`);
    await db.query(
      `ALTER TABLE admins ADD CONSTRAINT admins_role_known CHECK (role IN ('owner', 'operator', 'support', 'viewer'))`,
    );
    await db.query(`ALTER TABLE admins ADD COLUMN disabled boolean NOT NULL DEFAULT false`);

    await db.query(`ALTER TABLE api_tokens ADD COLUMN scopes text[] NOT NULL DEFAULT '{}'`);
    await db.query(`ALTER TABLE api_tokens ALTER COLUMN scopes DROP DEFAULT`);
    await db.query(`ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz`);
    await db.query(`ALTER TABLE api_tokens ALTER COLUMN role DROP NOT NULL`);
    await db.query(`ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check`);
    await db.query(`UPDATE api_tokens SET role = 'owner' WHERE role = 'admin'`);
    await db.query(
      `ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check
         CHECK (role IN ('owner', 'operator', 'support', 'viewer', 'bot'))`,
    );
    await db.query(
      `UPDATE api_tokens SET scopes = CASE role
         WHEN 'owner' THEN ARRAY['nodes:read', 'nodes:write', 'users:read', 'users:access', 'users:write',
           'users:secrets', 'keys:read', 'keys:write', 'events:read', 'metrics:read', 'admins:manage', 'tokens:manage']
         WHEN 'bot' THEN ARRAY['keys:read', 'keys:write']
         ELSE ARRAY['nodes:read', 'users:read', 'events:read', 'metrics:read'] END`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check`);
    await db.query(
      `UPDATE api_tokens SET role = CASE
         WHEN 'tokens:manage' = ANY(scopes) THEN 'admin'
         WHEN 'keys:write' = ANY(scopes) THEN 'bot'
         ELSE 'viewer' END`,
    );
    await db.query(`ALTER TABLE api_tokens ALTER COLUMN role SET NOT NULL`);
    await db.query(
      `ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check CHECK (role IN ('admin', 'bot', 'viewer'))`,
    );
    await db.query(`ALTER TABLE api_tokens DROP COLUMN expires_at`);
    await db.query(`ALTER TABLE api_tokens DROP COLUMN scopes`);
    await db.query(`ALTER TABLE admins DROP COLUMN disabled`);
    await db.query(`ALTER TABLE admins DROP CONSTRAINT admins_role_known`);
    await db.query(`ALTER TABLE admins DROP COLUMN role`);
  }
}
