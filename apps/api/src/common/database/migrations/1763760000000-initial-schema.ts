import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1763760000000 implements MigrationInterface {
  name = 'InitialSchema1763760000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE nodes (
        id                    serial PRIMARY KEY,
        name                  varchar(64)  NOT NULL,
        description           text,
        location              varchar(64),
        panel_url             varchar(2048) NOT NULL,
        panel_username        varchar(255) NOT NULL,
        panel_password        text         NOT NULL,
        panel_api_token       text,
        inbound_id            integer CHECK (inbound_id > 0),
        public_host           varchar(255),
        tls_verify            boolean      NOT NULL DEFAULT true,
        max_users             integer      NOT NULL DEFAULT 1000 CHECK (max_users BETWEEN 1 AND 1000000),
        current_users         integer      NOT NULL DEFAULT 0 CHECK (current_users >= 0),
        priority              integer      NOT NULL DEFAULT 100 CHECK (priority BETWEEN 0 AND 1000),
        weight                double precision NOT NULL DEFAULT 1.0 CHECK (weight > 0 AND weight <= 100),
        status                varchar(16)  NOT NULL DEFAULT 'active'
                              CHECK (status IN ('active', 'inactive', 'maintenance')),
        health_status         varchar(16)  NOT NULL DEFAULT 'unknown'
                              CHECK (health_status IN ('healthy', 'unhealthy', 'unknown')),
        last_health_check     timestamptz,
        response_time_ms      integer,
        consecutive_failures  integer      NOT NULL DEFAULT 0,
        consecutive_successes integer      NOT NULL DEFAULT 0,
        last_error            text,
        created_at            timestamptz  NOT NULL DEFAULT now(),
        updated_at            timestamptz  NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX nodes_name_key ON nodes (lower(name))`);
    await db.query(`CREATE INDEX nodes_assignable_idx ON nodes (status, health_status)`);

    await db.query(`
      CREATE TABLE vpn_users (
        id                 serial PRIMARY KEY,
        telegram_id        bigint UNIQUE CHECK (telegram_id > 0),
        username           varchar(255),
        uuid               uuid        NOT NULL UNIQUE,
        subscription_token varchar(64) NOT NULL UNIQUE,
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(`
      CREATE TABLE assignments (
        id           bigserial PRIMARY KEY,
        user_id      integer NOT NULL REFERENCES vpn_users (id) ON DELETE CASCADE,
        node_id      integer NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
        inbound_id   integer NOT NULL,
        client_email varchar(255) NOT NULL,
        is_active    boolean NOT NULL DEFAULT true,
        assigned_at  timestamptz NOT NULL DEFAULT now(),
        released_at  timestamptz,
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now(),
        CHECK (is_active = (released_at IS NULL))
      )`);
    // At most one active assignment per user; any number of released ones (history).
    await db.query(`CREATE UNIQUE INDEX assignments_one_active_per_user ON assignments (user_id) WHERE is_active`);
    await db.query(`CREATE INDEX assignments_active_by_node ON assignments (node_id) WHERE is_active`);
    await db.query(`CREATE INDEX assignments_user_history ON assignments (user_id, assigned_at DESC)`);

    await db.query(`
      CREATE TABLE events (
        id         bigserial PRIMARY KEY,
        type       varchar(64) NOT NULL,
        node_id    integer REFERENCES nodes (id) ON DELETE SET NULL,
        user_id    integer REFERENCES vpn_users (id) ON DELETE SET NULL,
        actor      varchar(255) NOT NULL,
        payload    jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX events_created_at ON events (created_at DESC)`);
    await db.query(`CREATE INDEX events_type_created_at ON events (type, created_at DESC)`);
    await db.query(
      `CREATE INDEX events_node_created_at ON events (node_id, created_at DESC) WHERE node_id IS NOT NULL`,
    );

    await db.query(`
      CREATE TABLE admins (
        id            serial PRIMARY KEY,
        username      varchar(64) NOT NULL UNIQUE,
        password_hash varchar(255) NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(`
      CREATE TABLE api_tokens (
        id           serial PRIMARY KEY,
        name         varchar(64) NOT NULL,
        role         varchar(16) NOT NULL CHECK (role IN ('admin', 'bot', 'viewer')),
        token_hash   char(64)    NOT NULL UNIQUE,
        prefix       varchar(16) NOT NULL,
        created_by   varchar(255) NOT NULL,
        last_used_at timestamptz,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE api_tokens`);
    await db.query(`DROP TABLE admins`);
    await db.query(`DROP TABLE events`);
    await db.query(`DROP TABLE assignments`);
    await db.query(`DROP TABLE vpn_users`);
    await db.query(`DROP TABLE nodes`);
  }
}
