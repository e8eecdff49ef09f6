import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every booking reaches its users' hourly rows and totals: nothing waits in the node cursors any more. What waited
 * is settled as the ledger settled it (into the hour it began to wait; into the period total of users counted only at
 * settling, unless their period started later), and each cursor keeps its first six fields (see `node-counters.ts`).
 */
export class UsageBookedEveryPass1764821000000 implements MigrationInterface {
  name = 'UsageBookedEveryPass1764821000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      WITH waiting AS (
        SELECT c.node_id, COALESCE(c.pending_since, now()) AS since, (e.value->>0)::int AS user_id,
               (e.value->>6)::int AS counted, (e.value->>7)::bigint AS up, (e.value->>8)::bigint AS down
          FROM usage_node_cursors c CROSS JOIN LATERAL json_each(c.clients) e
         WHERE json_array_length(e.value) >= 9 AND e.value->>0 IS NOT NULL
           AND (e.value->>7)::bigint + (e.value->>8)::bigint > 0
      ),
      hourly AS (
        INSERT INTO usage_hourly AS h (user_id, hour, node_id, up, down)
        SELECT user_id, date_trunc('hour', since), node_id, sum(up), sum(down) FROM waiting GROUP BY 1, 2, 3
        ON CONFLICT (user_id, hour, node_id) DO UPDATE SET up = h.up + EXCLUDED.up, down = h.down + EXCLUDED.down
      ),
      per_user AS (
        SELECT w.user_id, sum(round(w.up * n.usage_multiplier))::bigint AS up,
               sum(round(w.down * n.usage_multiplier))::bigint AS down
          FROM waiting w JOIN nodes n ON n.id = w.node_id JOIN vpn_users u ON u.id = w.user_id
         WHERE w.counted = 0 AND (u.period_start IS NULL OR u.period_start <= w.since)
         GROUP BY w.user_id
      ),
      counted AS (
        UPDATE vpn_users u SET used_up_bytes = u.used_up_bytes + p.up, used_bytes = u.used_bytes + p.up + p.down
          FROM per_user p WHERE u.id = p.user_id
        RETURNING u.id, u.status, u.traffic_limit_bytes, u.used_bytes
      )
      INSERT INTO access_rechecks (user_id)
      SELECT id FROM counted
       WHERE status IN ('active', 'on_hold') AND traffic_limit_bytes > 0 AND used_bytes >= traffic_limit_bytes
      ON CONFLICT DO NOTHING`);
    await db.query(`
      UPDATE usage_node_cursors c SET clients = COALESCE(
        (SELECT json_object_agg(e.key, json_build_array(
                  e.value->0, e.value->1, e.value->2, e.value->3, e.value->4, e.value->5))
           FROM json_each(c.clients) e),
        '{}')`);
    await db.query(`ALTER TABLE usage_node_cursors DROP COLUMN pending_since`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE usage_node_cursors ADD COLUMN pending_since timestamptz`);
    // Nothing waits; whether each user is counted at every booking is read from their limit.
    await db.query(`
      UPDATE usage_node_cursors c SET clients = COALESCE(
        (SELECT json_object_agg(e.key, json_build_array(
                  e.value->0, e.value->1, e.value->2, e.value->3, e.value->4, e.value->5,
                  COALESCE((SELECT (u.traffic_limit_bytes > 0)::int FROM vpn_users u
                             WHERE u.id = (e.value->>0)::int), 0), 0, 0))
           FROM json_each(c.clients) e),
        '{}')`);
  }
}
