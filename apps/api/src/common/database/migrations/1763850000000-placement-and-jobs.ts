import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Placement, migration jobs, tombstones and the webhook outbox.
 * Assignments gain a state: `pending` (capacity reserved, client being created), `active`, `released` (history).
 * A user has at most one active and at most one pending assignment (a pending one beside an active one is a move
 * in flight). Node counters count pending + active rows.
 */
export class PlacementAndJobs1763850000000 implements MigrationInterface {
  name = 'PlacementAndJobs1763850000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE nodes ADD COLUMN inbound_snapshot jsonb`);

    await db.query(`
      ALTER TABLE assignments
        ADD COLUMN state varchar(16) NOT NULL DEFAULT 'active'
          CHECK (state IN ('pending', 'active', 'released'))`);
    await db.query(`UPDATE assignments SET state = CASE WHEN is_active THEN 'active' ELSE 'released' END`);
    await db.query(`DROP INDEX assignments_one_active_per_user`);
    await db.query(`DROP INDEX assignments_active_by_node`);
    await db.query(`ALTER TABLE assignments DROP COLUMN is_active`);
    await db.query(
      `ALTER TABLE assignments ADD CONSTRAINT assignments_released_at CHECK ((state = 'released') = (released_at IS NOT NULL))`,
    );
    await db.query(
      `CREATE UNIQUE INDEX assignments_one_active_per_user ON assignments (user_id) WHERE state = 'active'`,
    );
    await db.query(
      `CREATE UNIQUE INDEX assignments_one_pending_per_user ON assignments (user_id) WHERE state = 'pending'`,
    );
    await db.query(`CREATE INDEX assignments_live_by_node ON assignments (node_id, user_id) WHERE state <> 'released'`);
    await db.query(`CREATE INDEX assignments_pending_since ON assignments (created_at) WHERE state = 'pending'`);
    await db.query(`ALTER TABLE vpn_users ADD COLUMN source varchar(16) NOT NULL DEFAULT 'bot'`);

    // A client that must be removed from a panel; written in the same transaction that releases the assignment.
    await db.query(`
      CREATE TABLE panel_tombstones (
        id           bigserial PRIMARY KEY,
        node_id      integer NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
        inbound_id   integer NOT NULL,
        client_email varchar(255) NOT NULL,
        client_uuid  uuid,
        reason       varchar(32) NOT NULL,
        attempts     integer NOT NULL DEFAULT 0,
        last_error   text,
        created_at   timestamptz NOT NULL DEFAULT now(),
        UNIQUE (node_id, client_email)
      )`);

    await db.query(`
      CREATE TABLE jobs (
        id           serial PRIMARY KEY,
        kind         varchar(32) NOT NULL CHECK (kind IN ('rebalance', 'failover', 'node-delete', 'drain')),
        status       varchar(16) NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'running', 'completed', 'failed')),
        node_id      integer REFERENCES nodes (id) ON DELETE SET NULL,
        total        integer NOT NULL DEFAULT 0,
        done         integer NOT NULL DEFAULT 0,
        failed       integer NOT NULL DEFAULT 0,
        error        text,
        created_by   varchar(255) NOT NULL,
        lease_owner  varchar(64),
        lease_until  timestamptz,
        created_at   timestamptz NOT NULL DEFAULT now(),
        started_at   timestamptz,
        finished_at  timestamptz
      )`);
    await db.query(`CREATE INDEX jobs_unfinished ON jobs (id) WHERE status IN ('pending', 'running')`);
    await db.query(`
      CREATE TABLE job_items (
        id           bigserial PRIMARY KEY,
        job_id       integer NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        user_id      integer NOT NULL REFERENCES vpn_users (id) ON DELETE CASCADE,
        from_node_id integer,
        to_node_id   integer,
        state        varchar(16) NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
        attempts     integer NOT NULL DEFAULT 0,
        error        text
      )`);
    await db.query(`CREATE INDEX job_items_pending ON job_items (job_id, id) WHERE state = 'pending'`);

    await db.query(`
      CREATE TABLE outbox (
        id              bigserial PRIMARY KEY,
        type            varchar(64) NOT NULL,
        payload         jsonb NOT NULL,
        attempts        integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        delivered_at    timestamptz,
        last_error      text,
        created_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE outbox`);
    await db.query(`DROP TABLE job_items`);
    await db.query(`DROP TABLE jobs`);
    await db.query(`DROP TABLE panel_tombstones`);
    await db.query(`ALTER TABLE vpn_users DROP COLUMN source`);
    await db.query(`DELETE FROM assignments WHERE state = 'pending'`);
    await db.query(`DROP INDEX assignments_pending_since`);
    await db.query(`DROP INDEX assignments_live_by_node`);
    await db.query(`DROP INDEX assignments_one_pending_per_user`);
    await db.query(`DROP INDEX assignments_one_active_per_user`);
    await db.query(`ALTER TABLE assignments DROP CONSTRAINT assignments_released_at`);
    await db.query(`ALTER TABLE assignments ADD COLUMN is_active boolean NOT NULL DEFAULT true`);
    await db.query(`UPDATE assignments SET is_active = (state = 'active')`);
    await db.query(`ALTER TABLE assignments DROP COLUMN state`);
    await db.query(`ALTER TABLE assignments ADD CHECK (is_active = (released_at IS NULL))`);
    await db.query(`CREATE UNIQUE INDEX assignments_one_active_per_user ON assignments (user_id) WHERE is_active`);
    await db.query(`CREATE INDEX assignments_active_by_node ON assignments (node_id) WHERE is_active`);
    await db.query(`ALTER TABLE nodes DROP COLUMN inbound_snapshot`);
  }
}
