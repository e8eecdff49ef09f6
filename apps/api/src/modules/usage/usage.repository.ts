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

export interface BookingResult {
  /** Bytes newly booked (as the panel counted them, before the multiplier). */
  up: number;
  down: number;
  /** Cursors written (clients whose counters moved, or seen for the first time). */
  written: number;
  /** Users whose counted traffic reached their limit while their status still lets them in. */
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

  /** Serializes the bookings of one node's counters (held for the booking only, never across a panel call). */
  async lockNode(nodeId: number, manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock($1, $2)', [NODE_COUNTERS_LOCK, nodeId]);
  }

  /** The database's clock: readings are stamped with it, so replicas' clocks never matter. */
  async clock(): Promise<Date> {
    const [{ now }] = await this.dataSource.query('SELECT clock_timestamp() AS now');
    return new Date(now);
  }

  /**
   * Books a node's readings in one statement: per client the delta against its cursor, the cursor moved to the
   * reading, the deltas added to the (user, node, hour) and (node, hour) buckets, and × `multiplier` to each user's
   * period usage. Counters that went back (an operator's reset, a restore) or a new traffic row (a re-created
   * client) start a new epoch: never negative, never the old total again; the lifetime counter, which resets leave
   * alone, supplies what a reset erased before we read it. A client never seen before is a baseline: what it carried
   * before we knew it is not booked.
   */
  async book(
    nodeId: number,
    multiplier: number,
    readings: CounterReading[],
    /** When the readings were started: a cursor another reader moved since then keeps its (newer) reading. */
    readSince: Date,
    manager: EntityManager,
  ): Promise<BookingResult> {
    const [row] = await manager.query(
      `WITH seen AS (
         SELECT * FROM unnest($2::varchar[], $3::bigint[], $4::bigint[], $5::bigint[], $7::bigint[])
                    AS s(email, traffic_id, up, down, all_time)
       ),
       diff AS (
         SELECT s.email, s.traffic_id, s.up, s.down,
                -- trusted only when it covers the counters (an upgraded panel backfills it once)
                CASE WHEN s.all_time >= s.up + s.down THEN s.all_time END AS all_time,
                COALESCE(c.user_id, owner.user_id) AS user_id,
                c.node_id IS NULL AS first_sight,
                c.node_id IS NOT NULL AND c.traffic_id IS DISTINCT FROM s.traffic_id AS new_row,
                c.traffic_id = s.traffic_id AND (s.up < c.up OR s.down < c.down) AS went_back,
                c.traffic_id AS was_row, c.up AS was_up, c.down AS was_down, c.all_time AS was_all_time
           FROM seen s
           LEFT JOIN usage_cursors c ON c.node_id = $1 AND c.client_email = s.email
           LEFT JOIN LATERAL (
             SELECT a.user_id FROM assignments a
              WHERE c.node_id IS NULL AND a.node_id = $1 AND lower(a.client_email) = lower(s.email)
              ORDER BY a.id DESC LIMIT 1
           ) owner ON true
          WHERE (c.node_id IS NULL OR c.updated_at < $8)
            AND (c.node_id IS NULL OR c.traffic_id IS DISTINCT FROM s.traffic_id OR c.up <> s.up OR c.down <> s.down
                 OR c.all_time IS DISTINCT FROM s.all_time)
       ),
       -- What the counters show since the last reading (since their epoch began, after a reset or a new row), and the
       -- total that moved: the lifetime counter's growth where both readings have one, so bytes a reset erased
       -- before we read them are still counted.
       seen_delta AS (
         SELECT *,
                CASE WHEN first_sight THEN 0 WHEN new_row OR went_back THEN up ELSE up - was_up END AS seen_up,
                CASE WHEN first_sight THEN 0 WHEN new_row OR went_back THEN down ELSE down - was_down END AS seen_down,
                CASE WHEN first_sight THEN 0
                     WHEN new_row THEN COALESCE(all_time, up + down)
                     WHEN all_time IS NOT NULL AND was_all_time IS NOT NULL AND all_time >= was_all_time
                       THEN all_time - was_all_time
                     ELSE NULL END AS lifetime
           FROM diff
       ),
       delta AS (
         SELECT *, seen_up + round(forgotten * CASE WHEN was_up + was_down > 0
                                                    THEN was_up::numeric / (was_up + was_down) ELSE 0.5 END)::bigint
                     AS d_up,
                   seen_down + forgotten
                     - round(forgotten * CASE WHEN was_up + was_down > 0
                                              THEN was_up::numeric / (was_up + was_down) ELSE 0.5 END)::bigint AS d_down,
                   NOT first_sight AND was_row IS NOT NULL AND (new_row OR went_back) AS counter_reset
           FROM (SELECT *, GREATEST(COALESCE(lifetime, 0) - seen_up - seen_down, 0) AS forgotten FROM seen_delta) f
       ),
       cursors AS (
         INSERT INTO usage_cursors AS c (node_id, client_email, user_id, traffic_id, up, down, all_time, updated_at)
         SELECT $1, email, user_id, traffic_id, up, down, all_time, clock_timestamp() FROM delta
         ON CONFLICT (node_id, client_email) DO UPDATE
           SET traffic_id = EXCLUDED.traffic_id, up = EXCLUDED.up, down = EXCLUDED.down, all_time = EXCLUDED.all_time,
               updated_at = EXCLUDED.updated_at, user_id = COALESCE(c.user_id, EXCLUDED.user_id)
       ),
       per_user AS (
         SELECT d.user_id, sum(d.d_up)::bigint AS up, sum(d.d_down)::bigint AS down
           FROM delta d JOIN vpn_users u ON u.id = d.user_id
          WHERE d.d_up + d.d_down > 0 GROUP BY d.user_id
       ),
       hourly AS (
         INSERT INTO usage_hourly AS h (user_id, hour, node_id, up, down)
         SELECT user_id, date_trunc('hour', now()), $1, up, down FROM per_user
         ON CONFLICT (user_id, hour, node_id) DO UPDATE SET up = h.up + EXCLUDED.up, down = h.down + EXCLUDED.down
       ),
       node_total AS (
         INSERT INTO node_usage_hourly AS n (node_id, hour, up, down)
         SELECT $1, date_trunc('hour', now()), sum(d_up), sum(d_down) FROM delta HAVING sum(d_up + d_down) > 0
         ON CONFLICT (node_id, hour) DO UPDATE SET up = n.up + EXCLUDED.up, down = n.down + EXCLUDED.down
       ),
       -- Users are locked in id order, so two nodes booking the same users (a move under way) cannot deadlock.
       locked AS (
         SELECT u.id FROM vpn_users u WHERE u.id IN (SELECT user_id FROM per_user) ORDER BY u.id FOR NO KEY UPDATE
       ),
       counted AS (
         UPDATE vpn_users u
            SET used_up_bytes = u.used_up_bytes + round(p.up * $6::numeric)::bigint,
                used_bytes = u.used_bytes + round(p.up * $6::numeric)::bigint + round(p.down * $6::numeric)::bigint
           FROM per_user p JOIN locked l ON l.id = p.user_id WHERE u.id = p.user_id
         RETURNING u.id, u.status, u.traffic_limit_bytes, u.used_bytes
       )
       SELECT COALESCE((SELECT sum(d_up) FROM delta), 0)::text AS up,
              COALESCE((SELECT sum(d_down) FROM delta), 0)::text AS down,
              (SELECT count(*) FROM delta)::int AS written,
              COALESCE((SELECT json_agg(id) FROM counted
                         WHERE status IN ('active', 'on_hold') AND traffic_limit_bytes > 0
                           AND used_bytes >= traffic_limit_bytes), '[]') AS over_limit,
              COALESCE((SELECT json_agg(DISTINCT user_id) FROM delta WHERE counter_reset AND user_id IS NOT NULL), '[]')
                AS counter_reset`,
      [
        nodeId,
        readings.map((reading) => reading.email),
        readings.map((reading) => reading.trafficId),
        readings.map((reading) => reading.up),
        readings.map((reading) => reading.down),
        multiplier,
        readings.map((reading) => reading.allTime),
        readSince,
      ],
    );
    return {
      up: Number(row.up),
      down: Number(row.down),
      written: row.written,
      overLimit: row.over_limit,
      counterReset: row.counter_reset,
    };
  }

  /** The node's counters were read and booked now (the age of its last collection, for `/metrics`). */
  async markCollected(nodeId: number): Promise<void> {
    await this.dataSource.query(`UPDATE nodes SET usage_collected_at = now() WHERE id = $1`, [nodeId]);
  }

  /** Clients we are about to create start at 0: their first reading is all new traffic (kept if a cursor exists). */
  async expectNewClients(
    clients: Array<{ nodeId: number; clientEmail: string; userId: number }>,
    manager: EntityManager,
  ): Promise<void> {
    if (!clients.length) return;
    await manager.query(
      `INSERT INTO usage_cursors (node_id, client_email, user_id)
       SELECT * FROM unnest($1::int[], $2::varchar[], $3::int[])
       ON CONFLICT (node_id, client_email) DO NOTHING`,
      [clients.map((c) => c.nodeId), clients.map((c) => c.clientEmail), clients.map((c) => c.userId)],
    );
  }

  /** The client left its panel: its counters are gone with it. */
  async forget(nodeId: number, clientEmail: string, manager: EntityManager): Promise<void> {
    await manager.query(`DELETE FROM usage_cursors WHERE node_id = $1 AND client_email = $2`, [nodeId, clientEmail]);
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
