import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { EventInput } from './events.service';

/** Bulk writes of `events` (one statement per batch of moves), and their retention. */
@Injectable()
export class EventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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

  async insertMany(inputs: EventInput[], manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO events (type, actor, node_id, user_id, payload)
       SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::int[], $4::int[], $5::jsonb[])`,
      [
        inputs.map((input) => input.type),
        inputs.map((input) => input.actor),
        inputs.map((input) => input.nodeId ?? null),
        inputs.map((input) => input.userId ?? null),
        inputs.map((input) => JSON.stringify(input.payload ?? {})),
      ],
    );
  }
}
