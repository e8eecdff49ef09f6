import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The usage ledger: per (node, panel client) the counters last booked (a cursor), traffic booked per (user, node,
 * hour) and, after the hourly rows age out, per (user, node, day); per-node hourly totals; and on each user the
 * period's counted upload (the period total is `used_bytes`). A node's `usage_multiplier` weighs its traffic
 * against quotas.
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
    // Users whose counted traffic reached their limit while their status still says they may use the service:
    // the access pass finds the ones a crash left between booking and the status change.
    await db.query(
      `CREATE INDEX vpn_users_over_limit ON vpn_users (id)
        WHERE status IN ('active', 'on_hold') AND traffic_limit_bytes > 0 AND used_bytes >= traffic_limit_bytes`,
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
      )`);
    // Who owns a client seen for the first time (adopted clients keep their own emails).
    await db.query(`CREATE INDEX assignments_by_node_email ON assignments (node_id, lower(client_email))`);
    await db.query(`
      CREATE TABLE usage_hourly (
        user_id integer     NOT NULL REFERENCES vpn_users (id) ON DELETE CASCADE,
        hour    timestamptz NOT NULL,
        node_id integer     NOT NULL,
        up      bigint      NOT NULL DEFAULT 0,
        down    bigint      NOT NULL DEFAULT 0,
        PRIMARY KEY (user_id, hour, node_id)
      )`);
    await db.query(`CREATE INDEX usage_hourly_by_hour ON usage_hourly (hour)`);
    await db.query(`
      CREATE TABLE usage_daily (
        user_id integer NOT NULL REFERENCES vpn_users (id) ON DELETE CASCADE,
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
    await db.query(`DROP INDEX vpn_users_over_limit`);
    await db.query(`ALTER TABLE vpn_users DROP COLUMN used_up_bytes`);
    await db.query(`ALTER TABLE nodes DROP COLUMN usage_multiplier, DROP COLUMN usage_collected_at`);
  }
}
