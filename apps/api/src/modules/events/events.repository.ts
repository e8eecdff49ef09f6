import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { EventInput } from './events.service';

/** Bulk writes of `events` (one statement per batch of moves). */
@Injectable()
export class EventsRepository {
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
