import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The usage ledger: per (node, panel client) the counters last booked (a cursor), traffic booked per (user, node,
 * hour) and, after the hourly rows age out, per (user, node, day); per-node hourly totals; and on each user the
 * period's counted upload (the period total is `used_bytes`). A node's `usage_multiplier` weighs its traffic
 * against quotas. Rows updated on every pass leave room on their pages (fillfactor) so updates stay HOT; bucket rows
 * carry no foreign keys (users are never removed, only marked deleted) so booking runs no trigger per row.
 */
export class UsageLedger1764200000000 implements MigrationInterface {
  name = 'UsageLedger1764200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE nodes
        ADD COLUMN usage_multiplier   numeric(6, 3) NOT NULL DEFAULT 1 CHECK (usage_multiplier > 0 AND usage_multiplier <= 100),
        ADD COLUMN usage_collected_at timestamptz`);
    await db.query(
      `ALTER TABLE vpn_users ADD COLUMN used_up_bytes bigint NOT NULL DEFAULT 0 CHECK (used_up_bytes >= 0)`,
    );
    // Users the ledger found at their limit, written in the booking's transaction and cleared once their status
    // has been rechecked: a crash between the two is caught up by the next pass. (An index over used_bytes would
    // make every booking's update of vpn_users a non-HOT one.)
    await db.query(`ALTER TABLE vpn_users SET (fillfactor = 50)`);
    await db.query(
      `CREATE TABLE access_rechecks (user_id integer PRIMARY KEY, noted_at timestamptz NOT NULL DEFAULT now())`,
    );
    // traffic_id: the panel's traffic row id (a client re-created under the same email gets a new row); NULL for a
    // client we are creating, whose counters start at 0.
    await db.query(`
      CREATE TABLE usage_cursors (
        node_id      integer      NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
        client_email varchar(255) NOT NULL,
        user_id      integer      REFERENCES vpn_users (id) ON DELETE SET NULL,
        traffic_id   bigint,
        up           bigint       NOT NULL DEFAULT 0,
        down         bigint       NOT NULL DEFAULT 0,
        all_time     bigint,
        updated_at   timestamptz  NOT NULL DEFAULT now(),
        PRIMARY KEY (node_id, client_email)
      ) WITH (fillfactor = 50)`);
    // Who owns a client seen for the first time (adopted clients keep their own emails).
    await db.query(`CREATE INDEX assignments_by_node_email ON assignments (node_id, lower(client_email))`);
    await db.query(`
      CREATE TABLE usage_hourly (
        user_id integer     NOT NULL,
        hour    timestamptz NOT NULL,
        node_id integer     NOT NULL,
        up      bigint      NOT NULL DEFAULT 0,
        down    bigint      NOT NULL DEFAULT 0,
        PRIMARY KEY (user_id, hour, node_id)
      ) WITH (fillfactor = 50)`);
    await db.query(`CREATE INDEX usage_hourly_by_hour ON usage_hourly (hour)`);
    await db.query(`
      CREATE TABLE usage_daily (
        user_id integer NOT NULL,
        day     date    NOT NULL,
        node_id integer NOT NULL,
        up      bigint  NOT NULL DEFAULT 0,
        down    bigint  NOT NULL DEFAULT 0,
        PRIMARY KEY (user_id, day, node_id)
      )`);
    await db.query(`CREATE INDEX usage_daily_by_day ON usage_daily (day)`);
    await db.query(`
      CREATE TABLE node_usage_hourly (
        node_id integer     NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
        hour    timestamptz NOT NULL,
        up      bigint      NOT NULL DEFAULT 0,
        down    bigint      NOT NULL DEFAULT 0,
        PRIMARY KEY (node_id, hour)
      )`);
    await db.query(`CREATE INDEX node_usage_hourly_by_hour ON node_usage_hourly (hour)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE node_usage_hourly`);
    await db.query(`DROP TABLE usage_daily`);
    await db.query(`DROP TABLE usage_hourly`);
    await db.query(`DROP INDEX assignments_by_node_email`);
    await db.query(`DROP TABLE usage_cursors`);
    await db.query(`DROP TABLE access_rechecks`);
    await db.query(`ALTER TABLE vpn_users RESET (fillfactor)`);
    await db.query(`ALTER TABLE vpn_users DROP COLUMN used_up_bytes`);
    await db.query(`ALTER TABLE nodes DROP COLUMN usage_multiplier, DROP COLUMN usage_collected_at`);
  }
}
