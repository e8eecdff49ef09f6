import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { TopUserView } from '@fleet/contract';

export type Granularity = 'hour' | 'day';

export interface UsageBucket {
  start: string;
  nodeId: number;
  up: number;
  down: number;
}

/**
 * What the ledger booked, read back (users' and nodes' buckets, the fleet's total, top users) and kept in shape
 * (compaction of old hourly rows, the collection stamp). The ledger's own queries are `UsageRepository`'s.
 */
@Injectable()
export class UsageHistoryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The nodes' counters were read and booked now (the age of the last collection, for `/metrics`). */
  async markCollected(nodeIds: number[]): Promise<void> {
    await this.dataSource.query(`UPDATE nodes SET usage_collected_at = now() WHERE id = ANY($1::int[])`, [nodeIds]);
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

  /** The users who moved the most bytes since `since`: a sum over every hourly row since then. */
  async topUsers(since: Date, limit: number): Promise<TopUserView[]> {
    return topUserViews(
      await this.dataSource.query(
        `SELECT t.user_id, u.telegram_id::text, u.username, t.up::text, t.down::text
           FROM (${TOP_SINCE}) t JOIN vpn_users u ON u.id = t.user_id
          ORDER BY t.up + t.down DESC, t.user_id`,
        [since, limit],
      ),
    );
  }

  /** Replaces the kept top users with the `limit` top users since `since`, in one transaction. */
  async keepTopUsers(since: Date, limit: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`DELETE FROM usage_top_users`);
      await manager.query(
        `INSERT INTO usage_top_users (rank, user_id, up, down)
         SELECT row_number() OVER (ORDER BY up + down DESC, user_id), user_id, up, down
           FROM (${TOP_SINCE}) t`,
        [since, limit],
      );
    });
  }

  /** The kept top users, the first `limit` of them. */
  async keptTopUsers(limit: number): Promise<TopUserView[]> {
    return topUserViews(
      await this.dataSource.query(
        `SELECT t.user_id, u.telegram_id::text, u.username, t.up::text, t.down::text
           FROM usage_top_users t JOIN vpn_users u ON u.id = t.user_id
          WHERE t.rank <= $1 ORDER BY t.rank`,
        [limit],
      ),
    );
  }
}

function bucketOf(row: { start: Date; node_id: number; up: string; down: string }): UsageBucket {
  return { start: new Date(row.start).toISOString(), nodeId: row.node_id, up: Number(row.up), down: Number(row.down) };
}

/** The `$2` users who moved the most bytes since `$1`, from every hourly row since then. */
const TOP_SINCE = `SELECT user_id, sum(up) AS up, sum(down) AS down FROM usage_hourly
                    WHERE hour >= date_trunc('hour', $1::timestamptz)
                    GROUP BY user_id ORDER BY sum(up + down) DESC, user_id LIMIT $2`;

function topUserViews(
  rows: Array<{ user_id: number; telegram_id: string | null; username: string | null; up: string; down: string }>,
): TopUserView[] {
  return rows.map((row) => ({
    userId: row.user_id,
    telegramId: row.telegram_id === null ? null : Number(row.telegram_id),
    username: row.username,
    up: Number(row.up),
    down: Number(row.down),
  }));
}
