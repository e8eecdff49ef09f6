import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { OutboxMessage } from './outbox.entity';

/** Every query on `outbox`. */
@Injectable()
export class OutboxRepository {
  async insert(messages: Array<{ type: string; payload: Record<string, unknown> }>, manager: EntityManager) {
    if (!messages.length) return;
    await manager.query(`INSERT INTO outbox (type, payload) SELECT * FROM unnest($1::varchar[], $2::jsonb[])`, [
      messages.map((message) => message.type),
      messages.map((message) => JSON.stringify(message.payload)),
    ]);
  }

  /** Due messages, locked for this transaction; rows another replica holds are skipped. */
  claimDue(limit: number, manager: EntityManager): Promise<OutboxMessage[]> {
    return manager
      .getRepository(OutboxMessage)
      .createQueryBuilder('o')
      .where('o.delivered_at IS NULL AND o.next_attempt_at <= now()')
      .orderBy('o.id')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }

  async delivered(id: string, manager: EntityManager): Promise<void> {
    await manager.query(`UPDATE outbox SET delivered_at = now(), attempts = attempts + 1 WHERE id = $1`, [id]);
  }

  async failed(id: string, error: string, retryInSeconds: number, manager: EntityManager): Promise<void> {
    await manager.query(
      `UPDATE outbox SET attempts = attempts + 1, last_error = $2,
              next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1`,
      [id, error, retryInSeconds],
    );
  }
}
