import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/** A seat of a user's plan that has no node yet. */
export interface SeatWait {
  userId: number;
  groupId: number;
  since: Date;
  attempts: number;
  lastError: string | null;
}

/** Longest pause between two tries of one waiting seat. */
const MAX_BACKOFF_SECONDS = 60;

/** Every query on `seat_waits`: the seats of users' plans waiting for capacity. */
@Injectable()
export class SeatWaitsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** These seats wait (a seat already waiting keeps its `since`). */
  async add(seats: Array<{ userId: number; groupId: number }>, manager?: EntityManager): Promise<void> {
    if (!seats.length) return;
    await (manager ?? this.dataSource.manager).query(
      `INSERT INTO seat_waits (user_id, group_id) SELECT * FROM unnest($1::int[], $2::int[])
       ON CONFLICT DO NOTHING`,
      [seats.map((seat) => seat.userId), seats.map((seat) => seat.groupId)],
    );
  }

  /** These seats wait no more (placed, or their group left the plan). */
  async remove(seats: Array<{ userId: number; groupId: number }>, manager?: EntityManager): Promise<void> {
    if (!seats.length) return;
    await (manager ?? this.dataSource.manager).query(
      `DELETE FROM seat_waits w USING unnest($1::int[], $2::int[]) AS s(user_id, group_id)
        WHERE w.user_id = s.user_id AND w.group_id = s.group_id`,
      [seats.map((seat) => seat.userId), seats.map((seat) => seat.groupId)],
    );
  }

  /** The user's waiting seats outside these groups are dropped (the plan changed). */
  async keepOnly(userId: number, groupIds: number[], manager: EntityManager): Promise<void> {
    await manager.query(`DELETE FROM seat_waits WHERE user_id = $1 AND NOT (group_id = ANY($2::int[]))`, [
      userId,
      groupIds,
    ]);
  }

  /** Seats due for another try, longest waiting first (the index `seat_waits_due`). */
  async due(limit: number): Promise<SeatWait[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT user_id, group_id, since, attempts, last_error FROM seat_waits
        WHERE next_try_at <= now() ORDER BY next_try_at LIMIT $1`,
      [limit],
    );
    return rows.map(waitOfRow);
  }

  /** The user's waiting seats. */
  async ofUser(userId: number): Promise<SeatWait[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT user_id, group_id, since, attempts, last_error FROM seat_waits WHERE user_id = $1`,
      [userId],
    );
    return rows.map(waitOfRow);
  }

  /** A try failed: the next one after a pause that grows with the tries (up to MAX_BACKOFF_SECONDS). */
  async failed(seats: Array<{ userId: number; groupId: number; error: string }>): Promise<void> {
    if (!seats.length) return;
    await this.dataSource.query(
      `UPDATE seat_waits w SET attempts = least(w.attempts + 1, 1000000), last_error = left(s.error, 500),
              next_try_at = now() + make_interval(secs => least(power(2, least(w.attempts, 10)), $4))
         FROM unnest($1::int[], $2::int[], $3::text[]) AS s(user_id, group_id, error)
        WHERE w.user_id = s.user_id AND w.group_id = s.group_id`,
      [
        seats.map((seat) => seat.userId),
        seats.map((seat) => seat.groupId),
        seats.map((seat) => seat.error),
        MAX_BACKOFF_SECONDS,
      ],
    );
  }

  /** Seats waiting, fleet-wide (the attention counts; those placed meanwhile left out). */
  async count(): Promise<number> {
    const [row]: Array<{ n: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM seat_waits w
        WHERE NOT EXISTS (SELECT 1 FROM assignments a
                           WHERE a.user_id = w.user_id AND a.group_id = w.group_id AND a.state = 'active')`,
    );
    return row.n;
  }
}

function waitOfRow(row: Record<string, unknown>): SeatWait {
  return {
    userId: row['user_id'] as number,
    groupId: row['group_id'] as number,
    since: new Date(row['since'] as string),
    attempts: row['attempts'] as number,
    lastError: row['last_error'] as string | null,
  };
}
