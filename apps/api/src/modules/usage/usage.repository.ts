import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/** A panel's counters for one client, as its traffic row shows them. */
export interface CounterReading {
  email: string;
  /** The traffic row's id: a client re-created under the same email gets a new one. */
  trafficId: number;
  up: number;
  down: number;
  /** The row's lifetime counter (v2.6.8+; null when the panel has none): a traffic reset leaves it alone. */
  allTime: number | null;
}

/** One node's readings to book, stamped when they were started. */
export interface NodeReadings {
  nodeId: number;
  readings: CounterReading[];
  /** A cursor another reader moved after this keeps its (newer) reading. */
  since: Date;
}

export interface BookingResult {
  /** Bytes newly booked (as the panel counted them, before the multiplier). */
  up: number;
  down: number;
  /** Cursors written (clients whose counters moved, or seen for the first time). */
  written: number;
  /** Users whose usage grew on this node (one hourly bucket and one user row written each). */
  users: number;
  /** Users whose counted traffic reached their limit while their status still lets them in (also noted in
   * `access_rechecks`, in the same transaction, for the access machinery). */
  overLimit: number[];
  /** Users whose counter on this node went back (an operator reset, a restore): their `totalGB` is stale. */
  counterReset: number[];
}

export type Granularity = 'hour' | 'day';

export interface UsageBucket {
  start: string;
  nodeId: number;
  up: number;
  down: number;
}

/** Transaction-scoped advisory lock class for one node's counters (the second key is the node id). */
const NODE_COUNTERS_LOCK = 7_300_100;

/** Every query on the usage ledger: cursors, hourly/daily buckets, node totals. */
@Injectable()
export class UsageRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The database's clock: readings are stamped with it, so replicas' clocks never matter. */
  async clock(): Promise<Date> {
    const [{ now }] = await this.dataSource.query('SELECT clock_timestamp() AS now');
    return new Date(now);
  }

  /** Serializes the bookings of these nodes' counters (taken in id order; held for the booking only). */
  async lockNodes(nodeIds: number[], manager: EntityManager): Promise<void> {
    await manager.query(
      `SELECT pg_advisory_xact_lock($1, id) FROM (SELECT DISTINCT unnest($2::int[]) AS id ORDER BY 1) ids`,
      [NODE_COUNTERS_LOCK, nodeIds],
    );
  }

  /**
   * Books the readings of several nodes in one statement: per client the delta against its cursor, the cursor moved
   * to the reading, the deltas added to the (user, node, hour) and (node, hour) buckets, and × the node's
   * `usage_multiplier` to each user's period usage. Counters that went back (an operator's reset, a restore) or a new
   * traffic row (a re-created client) start a new epoch: never negative, never the old total again; the lifetime
   * counter, which resets leave alone, supplies what a reset erased before we read it. A client never seen before is
   * a baseline: what it carried before we knew it is not booked. Answers one result per node, in order.
   */
  async book(batch: NodeReadings[], manager: EntityManager): Promise<BookingResult[]> {
    const flat = batch.flatMap(({ nodeId, readings, since }) =>
      readings.map((reading) => ({ nodeId, since, reading })),
    );
    const rows: Array<{
      node_id: number;
      up: string;
      down: string;
      written: number;
      users: number;
      over_limit: number[];
      counter_reset: number[];
    }> = await manager.query(
      `WITH stamps AS (SELECT * FROM unnest($7::int[], $8::timestamptz[]) AS t(node_id, since)),
       seen AS (
         SELECT s.*, t.since
           FROM unnest($1::int[], $2::varchar[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[])
                  AS s(node_id, email, traffic_id, up, down, all_time)
           JOIN stamps t ON t.node_id = s.node_id
       ),
       diff AS (
         SELECT s.node_id, s.email, s.traffic_id, s.up, s.down,
                -- trusted only when it covers the counters (an upgraded panel backfills it once)
                CASE WHEN s.all_time >= s.up + s.down THEN s.all_time END AS all_time,
                COALESCE(c.user_id, owner.user_id) AS user_id,
                c.node_id IS NULL AS first_sight,
                c.node_id IS NOT NULL AND c.traffic_id IS DISTINCT FROM s.traffic_id AS new_row,
                c.traffic_id = s.traffic_id AND (s.up < c.up OR s.down < c.down) AS went_back,
                c.traffic_id AS was_row, c.up AS was_up, c.down AS was_down, c.all_time AS was_all_time
           FROM seen s
           -- by key, one index probe per reading (a hash join would read every cursor of the fleet)
           LEFT JOIN LATERAL (
             SELECT * FROM usage_cursors WHERE node_id = s.node_id AND client_email = s.email
           ) c ON true
           LEFT JOIN LATERAL (
             SELECT a.user_id FROM assignments a
              WHERE c.node_id IS NULL AND a.node_id = s.node_id AND lower(a.client_email) = lower(s.email)
              ORDER BY a.id DESC LIMIT 1
           ) owner ON true
          WHERE (c.node_id IS NULL OR c.updated_at < s.since)
            AND (c.node_id IS NULL OR c.traffic_id IS DISTINCT FROM s.traffic_id OR c.up <> s.up OR c.down <> s.down
                 OR c.all_time IS DISTINCT FROM s.all_time)
       ),
       -- What the counters show since the last reading (since their epoch began, after a reset or a new row), and the
       -- total that moved: the lifetime counter's growth where both readings have one, so bytes a reset erased
       -- before we read them are still counted (split like the client's earlier traffic).
       seen_delta AS (
         SELECT *,
                CASE WHEN first_sight THEN 0 WHEN new_row OR went_back THEN up ELSE up - was_up END AS seen_up,
                CASE WHEN first_sight THEN 0 WHEN new_row OR went_back THEN down ELSE down - was_down END AS seen_down,
                CASE WHEN first_sight THEN 0
                     WHEN new_row THEN COALESCE(all_time, up + down)
                     WHEN all_time IS NOT NULL AND was_all_time IS NOT NULL AND all_time >= was_all_time
                       THEN all_time - was_all_time
                     ELSE NULL END AS lifetime,
                CASE WHEN was_up + was_down > 0 THEN was_up::numeric / (was_up + was_down) ELSE 0.5 END AS up_share
           FROM diff
       ),
       delta AS (
         SELECT *, seen_up + round(forgotten * up_share)::bigint AS d_up,
                   seen_down + forgotten - round(forgotten * up_share)::bigint AS d_down,
                   NOT first_sight AND was_row IS NOT NULL AND (new_row OR went_back) AS counter_reset
           FROM (SELECT *, GREATEST(COALESCE(lifetime, 0) - seen_up - seen_down, 0) AS forgotten FROM seen_delta) f
       ),
       -- Existing rows are updated in place (cheaper than INSERT … ON CONFLICT, and nearly every row exists);
       -- only first sightings are inserted.
       moved AS (
         UPDATE usage_cursors c
            SET traffic_id = d.traffic_id, up = d.up, down = d.down, all_time = d.all_time,
                updated_at = clock_timestamp(), user_id = COALESCE(c.user_id, d.user_id)
           FROM delta d
          WHERE NOT d.first_sight AND c.node_id = d.node_id AND c.client_email = d.email
       ),
       first_seen AS (
         INSERT INTO usage_cursors AS c (node_id, client_email, user_id, traffic_id, up, down, all_time, updated_at)
         SELECT node_id, email, user_id, traffic_id, up, down, all_time, clock_timestamp() FROM delta WHERE first_sight
         ON CONFLICT (node_id, client_email) DO NOTHING
       ),
       per_user_node AS (
         SELECT d.user_id, d.node_id, sum(d.d_up)::bigint AS up, sum(d.d_down)::bigint AS down
           FROM delta d WHERE d.user_id IS NOT NULL AND d.d_up + d.d_down > 0 GROUP BY d.user_id, d.node_id
       ),
       hour_added AS (
         UPDATE usage_hourly h SET up = h.up + p.up, down = h.down + p.down
           FROM per_user_node p
          WHERE h.user_id = p.user_id AND h.hour = date_trunc('hour', now()) AND h.node_id = p.node_id
         RETURNING h.user_id, h.node_id
       ),
       hour_opened AS (
         INSERT INTO usage_hourly AS h (user_id, hour, node_id, up, down)
         SELECT p.user_id, date_trunc('hour', now()), p.node_id, p.up, p.down FROM per_user_node p
          WHERE NOT EXISTS (SELECT 1 FROM hour_added a WHERE a.user_id = p.user_id AND a.node_id = p.node_id)
         ON CONFLICT (user_id, hour, node_id) DO UPDATE SET up = h.up + EXCLUDED.up, down = h.down + EXCLUDED.down
       ),
       node_total AS (
         INSERT INTO node_usage_hourly AS n (node_id, hour, up, down)
         SELECT node_id, date_trunc('hour', now()), sum(d_up), sum(d_down) FROM delta
          GROUP BY node_id HAVING sum(d_up + d_down) > 0
         ON CONFLICT (node_id, hour) DO UPDATE SET up = n.up + EXCLUDED.up, down = n.down + EXCLUDED.down
       ),
       per_user AS (
         SELECT p.user_id, sum(round(p.up * m.usage_multiplier))::bigint AS up,
                sum(round(p.down * m.usage_multiplier))::bigint AS down
           FROM per_user_node p JOIN nodes m ON m.id = p.node_id GROUP BY p.user_id
       ),
       -- Two lanes booking the same users (a move under way) may deadlock, rarely: the booking is retried.
       counted AS (
         UPDATE vpn_users u
            SET used_up_bytes = u.used_up_bytes + p.up, used_bytes = u.used_bytes + p.up + p.down
           FROM per_user p WHERE u.id = p.user_id
         RETURNING u.id, u.status, u.traffic_limit_bytes, u.used_bytes
       ),
       over_limit AS (
         SELECT id FROM counted
          WHERE status IN ('active', 'on_hold') AND traffic_limit_bytes > 0 AND used_bytes >= traffic_limit_bytes
       ),
       noted AS (INSERT INTO access_rechecks (user_id) SELECT id FROM over_limit ON CONFLICT DO NOTHING),
       node_delta AS (
         SELECT node_id, sum(d_up) AS up, sum(d_down) AS down, count(*)::int AS written,
                json_agg(DISTINCT user_id) FILTER (WHERE counter_reset AND user_id IS NOT NULL) AS counter_reset
           FROM delta GROUP BY node_id
       ),
       node_users AS (SELECT node_id, count(*)::int AS users FROM per_user_node GROUP BY node_id),
       node_over AS (
         SELECT p.node_id, json_agg(o.id) AS ids FROM over_limit o JOIN per_user_node p ON p.user_id = o.id
          GROUP BY p.node_id
       )
       SELECT t.node_id, COALESCE(d.up, 0)::text AS up, COALESCE(d.down, 0)::text AS down,
              COALESCE(d.written, 0) AS written, COALESCE(u.users, 0) AS users,
              COALESCE(o.ids, '[]') AS over_limit, COALESCE(d.counter_reset, '[]') AS counter_reset
         FROM stamps t
         LEFT JOIN node_delta d ON d.node_id = t.node_id
         LEFT JOIN node_users u ON u.node_id = t.node_id
         LEFT JOIN node_over o ON o.node_id = t.node_id`,
      [
        flat.map((entry) => entry.nodeId),
        flat.map((entry) => entry.reading.email),
        flat.map((entry) => entry.reading.trafficId),
        flat.map((entry) => entry.reading.up),
        flat.map((entry) => entry.reading.down),
        flat.map((entry) => entry.reading.allTime),
        batch.map((entry) => entry.nodeId),
        batch.map((entry) => entry.since),
      ],
    );
    const byNode = new Map(rows.map((row) => [row.node_id, row]));
    return batch.map(({ nodeId }) => {
      const row = byNode.get(nodeId)!;
      return {
        up: Number(row.up),
        down: Number(row.down),
        written: row.written,
        users: row.users,
        overLimit: row.over_limit,
        counterReset: row.counter_reset,
      };
    });
  }

  /** The nodes' counters were read and booked now (the age of the last collection, for `/metrics`). */
  async markCollected(nodeIds: number[]): Promise<void> {
    await this.dataSource.query(`UPDATE nodes SET usage_collected_at = now() WHERE id = ANY($1::int[])`, [nodeIds]);
  }

  /**
   * Clients we are about to create start at 0: their first reading is all new traffic. A client that is still on the
   * panel from an earlier stay keeps its cursor; answers those clients' counters (up + down) by `nodeId/email`.
   */
  async expectNewClients(
    clients: Array<{ nodeId: number; clientEmail: string; userId: number }>,
    manager: EntityManager,
  ): Promise<Map<string, number>> {
    if (!clients.length) return new Map();
    // The SELECT sees the cursors as they were before this statement: only the kept ones.
    const kept: Array<{ node_id: number; client_email: string; total: string }> = await manager.query(
      `WITH wanted AS (
         SELECT * FROM unnest($1::int[], $2::varchar[], $3::int[]) AS w(node_id, client_email, user_id)
       ),
       started AS (
         INSERT INTO usage_cursors (node_id, client_email, user_id) SELECT * FROM wanted
         ON CONFLICT (node_id, client_email) DO NOTHING
       )
       SELECT c.node_id, c.client_email, (c.up + c.down)::text AS total
         FROM usage_cursors c JOIN wanted w ON w.node_id = c.node_id AND w.client_email = c.client_email
        WHERE c.up + c.down > 0`,
      [clients.map((c) => c.nodeId), clients.map((c) => c.clientEmail), clients.map((c) => c.userId)],
    );
    return new Map(kept.map((row) => [`${row.node_id}/${row.client_email}`, Number(row.total)]));
  }

  /** The clients left their panel: their counters are gone with them. */
  async forget(nodeId: number, clientEmails: string[], manager: EntityManager): Promise<void> {
    await manager.query(`DELETE FROM usage_cursors WHERE node_id = $1 AND client_email = ANY($2::varchar[])`, [
      nodeId,
      clientEmails,
    ]);
  }

  /** The counters last booked per client email on a node (up + down), for the clients' `totalGB`. */
  async countersOn(nodeId: number, emails: string[], manager?: EntityManager): Promise<Map<string, number>> {
    if (!emails.length) return new Map();
    const rows: Array<{ client_email: string; total: string }> = await (manager ?? this.dataSource.manager).query(
      `SELECT client_email, (up + down)::text AS total FROM usage_cursors
        WHERE node_id = $1 AND client_email = ANY($2::varchar[])`,
      [nodeId, emails],
    );
    return new Map(rows.map((row) => [row.client_email, Number(row.total)]));
  }

  /**
   * Moves up to `limit` hourly rows older than `hourlyDays` whole days (in `zone`) into daily rows, and deletes
   * rows past `retentionDays`. Bounded per call, so a backlog is worked off over several passes.
   */
  async compact(hourlyDays: number, retentionDays: number, zone: string, limit: number): Promise<number> {
    const [{ moved }] = await this.dataSource.query(
      `WITH old AS (
         SELECT ctid FROM usage_hourly
          WHERE hour < (date_trunc('day', now() AT TIME ZONE $2) - make_interval(days => $1::int)) AT TIME ZONE $2
          LIMIT $3
       ),
       gone AS (DELETE FROM usage_hourly h USING old WHERE h.ctid = old.ctid RETURNING h.*),
       daily AS (
         INSERT INTO usage_daily AS d (user_id, day, node_id, up, down)
         SELECT user_id, (hour AT TIME ZONE $2)::date, node_id, sum(up), sum(down) FROM gone GROUP BY 1, 2, 3
         ON CONFLICT (user_id, day, node_id) DO UPDATE SET up = d.up + EXCLUDED.up, down = d.down + EXCLUDED.down
       )
       SELECT count(*)::int AS moved FROM gone`,
      [hourlyDays, zone, limit],
    );
    await this.dataSource.query(
      `DELETE FROM usage_daily WHERE ctid IN (
         SELECT ctid FROM usage_daily WHERE day < (now() AT TIME ZONE $2)::date - $1::int LIMIT $3)`,
      [retentionDays, zone, limit],
    );
    await this.dataSource.query(
      `DELETE FROM node_usage_hourly WHERE ctid IN (
         SELECT ctid FROM node_usage_hourly WHERE hour < now() - make_interval(days => $1::int) LIMIT $2)`,
      [retentionDays, limit],
    );
    return moved;
  }

  /** A user's traffic per bucket and node in [from, to). Days are calendar days in `zone`. */
  async userBuckets(userId: number, from: Date, to: Date, granularity: Granularity, zone: string) {
    const rows: Array<{ start: Date; node_id: number; up: string; down: string }> =
      granularity === 'hour'
        ? await this.dataSource.query(
            `SELECT hour AS start, node_id, up::text, down::text FROM usage_hourly
              WHERE user_id = $1 AND hour >= $2 AND hour < $3 ORDER BY hour, node_id`,
            [userId, from, to],
          )
        : await this.dataSource.query(
            `SELECT (day::timestamp AT TIME ZONE $4) AS start, node_id, sum(up)::text AS up, sum(down)::text AS down
               FROM (SELECT day, node_id, up, down FROM usage_daily
                      WHERE user_id = $1 AND day >= ($2::timestamptz AT TIME ZONE $4)::date
                        AND day < ($3::timestamptz AT TIME ZONE $4)::date
                     UNION ALL
                     SELECT (hour AT TIME ZONE $4)::date, node_id, up, down FROM usage_hourly
                      WHERE user_id = $1 AND hour >= $2 AND hour < $3) part
              GROUP BY day, node_id ORDER BY day, node_id`,
            [userId, from, to, zone],
          );
    return rows.map(bucketOf);
  }

  /** Traffic through a node per bucket in [from, to). */
  async nodeBuckets(nodeId: number, from: Date, to: Date, granularity: Granularity, zone: string) {
    const rows: Array<{ start: Date; node_id: number; up: string; down: string }> = await this.dataSource.query(
      granularity === 'hour'
        ? `SELECT hour AS start, node_id, up::text, down::text FROM node_usage_hourly
            WHERE node_id = $1 AND hour >= $2 AND hour < $3 ORDER BY hour`
        : `SELECT ((hour AT TIME ZONE $4)::date::timestamp AT TIME ZONE $4) AS start, node_id,
                  sum(up)::text AS up, sum(down)::text AS down
             FROM node_usage_hourly WHERE node_id = $1 AND hour >= $2 AND hour < $3
            GROUP BY 1, 2 ORDER BY 1`,
      granularity === 'hour' ? [nodeId, from, to] : [nodeId, from, to, zone],
    );
    return rows.map(bucketOf);
  }

  /** The fleet's traffic since `since`. */
  async fleetTotal(since: Date): Promise<{ up: number; down: number }> {
    const [row] = await this.dataSource.query(
      `SELECT COALESCE(sum(up), 0)::text AS up, COALESCE(sum(down), 0)::text AS down
         FROM node_usage_hourly WHERE hour >= date_trunc('hour', $1::timestamptz)`,
      [since],
    );
    return { up: Number(row.up), down: Number(row.down) };
  }

  /** The users who moved the most bytes since `since`. */
  async topUsers(since: Date, limit: number) {
    const rows: Array<{
      user_id: number;
      telegram_id: string | null;
      username: string | null;
      up: string;
      down: string;
    }> = await this.dataSource.query(
      `SELECT t.user_id, u.telegram_id::text, u.username, t.up::text, t.down::text
           FROM (SELECT user_id, sum(up) AS up, sum(down) AS down FROM usage_hourly
                  WHERE hour >= date_trunc('hour', $1::timestamptz)
                  GROUP BY user_id ORDER BY sum(up + down) DESC LIMIT $2) t
           JOIN vpn_users u ON u.id = t.user_id
          ORDER BY t.up + t.down DESC, t.user_id`,
      [since, limit],
    );
    return rows.map((row) => ({
      userId: row.user_id,
      telegramId: row.telegram_id === null ? null : Number(row.telegram_id),
      username: row.username,
      up: Number(row.up),
      down: Number(row.down),
    }));
  }
}

function bucketOf(row: { start: Date; node_id: number; up: string; down: string }): UsageBucket {
  return { start: new Date(row.start).toISOString(), nodeId: row.node_id, up: Number(row.up), down: Number(row.down) };
}
