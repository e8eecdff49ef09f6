import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { EventView } from '@fleet/contract';
import { boundedCount } from '../../common/database/bounded-count';
import type { EventInput, EventQuery } from './events.types';

/** Bulk writes of `events` (one statement per batch of moves), and their retention. */
@Injectable()
export class EventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * One page, newest first (the index `events_newest`): after a cursor by key, else by offset. The total is exact up
   * to a bound (`boundedCount`).
   */
  async page(
    query: EventQuery,
  ): Promise<{ rows: Array<{ view: EventView; cursor: string }>; total: number; estimated: boolean }> {
    const filters: string[] = [];
    const values: unknown[] = [];
    if (query.type) filters.push(`type = $${values.push(query.type)}`);
    if (query.nodeId) filters.push(`node_id = $${values.push(query.nodeId)}`);
    if (query.userId) filters.push(`user_id = $${values.push(query.userId)}`);
    if (query.since) filters.push(`created_at >= $${values.push(query.since)}`);
    if (query.until) filters.push(`created_at < $${values.push(query.until)}`);
    const where = filters.length ? `WHERE ${filters.join(' AND ')}` : '';
    const pageFilters = [...filters];
    const pageValues = [...values];
    if (query.after) {
      const { micros, id } = query.after;
      pageFilters.push(
        `(created_at, id) < (timestamptz 'epoch' + $${pageValues.push(String(micros))}::bigint * interval '1 microsecond', $${pageValues.push(String(id))}::bigint)`,
      );
    }
    const pageWhere = pageFilters.length ? `WHERE ${pageFilters.join(' AND ')}` : '';
    const offset = query.after ? 0 : (query.page - 1) * query.limit;
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      // The page's ids first (read off the index alone, however deep the page), then their rows.
      `SELECT e.id::text, e.type, e.node_id, e.user_id, e.actor, e.payload, e.created_at,
              (extract(epoch FROM e.created_at) * 1000000)::bigint::text AS micros
         FROM (SELECT id, created_at FROM events ${pageWhere}
                ORDER BY created_at DESC, id DESC LIMIT $${pageValues.push(query.limit)} OFFSET $${pageValues.push(offset)}) p
         JOIN events e ON e.id = p.id
        ORDER BY p.created_at DESC, p.id DESC`,
      pageValues,
    );
    const { total, estimated } = await boundedCount(
      this.dataSource,
      `FROM events ${where}`,
      values,
      where ? undefined : 'events',
    );
    return {
      rows: rows.map((row) => ({
        view: {
          id: Number(row['id']),
          type: row['type'] as string,
          nodeId: row['node_id'] as number | null,
          userId: row['user_id'] as number | null,
          actor: row['actor'] as string,
          payload: row['payload'] as Record<string, unknown>,
          createdAt: new Date(row['created_at'] as string).toISOString(),
        },
        cursor: `${row['micros']}.${row['id']}`,
      })),
      total,
      estimated,
    };
  }

  /** Deletes up to `limit` events older than `retentionDays` (bounded: a backlog goes over several runs). */
  async prune(retentionDays: number, limit: number): Promise<number> {
    const [{ n }]: Array<{ n: number }> = await this.dataSource.query(
      `WITH gone AS (DELETE FROM events WHERE id IN (
         SELECT id FROM events WHERE created_at < now() - make_interval(days => $1) ORDER BY created_at LIMIT $2)
       RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [retentionDays, limit],
    );
    return n;
  }

  /** One JSON parameter: an array of JSON texts would be escaped element by element, payload by payload. */
  async insertMany(inputs: EventInput[], manager: EntityManager): Promise<void> {
    const rows = inputs.map(({ type, actor, nodeId, userId, payload }) => ({
      type,
      actor,
      node_id: nodeId ?? null,
      user_id: userId ?? null,
      payload: payload ?? {},
    }));
    await manager.query(
      `INSERT INTO events (type, actor, node_id, user_id, payload)
       SELECT type, actor, node_id, user_id, payload
         FROM json_to_recordset($1::json) AS e(type varchar, actor varchar, node_id int, user_id int, payload jsonb)`,
      [JSON.stringify(rows)],
    );
  }
}
