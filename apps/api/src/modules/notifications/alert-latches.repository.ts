import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/**
 * Every query on `alert_latches`: what happens once for the whole fleet, however many replicas try at once. Each
 * change is made in the caller's transaction, with the alert it allows: a second replica waits on the row and then
 * finds it changed; a rolled-back change lets the next one through.
 */
@Injectable()
export class AlertLatchesRepository {
  /** Moves the latch to `value` when it is unset or below it; true when this call moved it. */
  async advance(name: string, value: string, manager: EntityManager): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO alert_latches (name, value) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET value = excluded.value, set_at = now() WHERE alert_latches.value < excluded.value
       RETURNING name`,
      [name, value],
    );
    return rows.length > 0;
  }

  /** Sets the latch; true when it was not set. */
  async set(name: string, manager: EntityManager): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO alert_latches (name, value) VALUES ($1, 'set') ON CONFLICT (name) DO NOTHING RETURNING name`,
      [name],
    );
    return rows.length > 0;
  }

  /** Clears the latch; true when it was set. */
  async clear(name: string, manager: EntityManager): Promise<boolean> {
    const [{ n }]: Array<{ n: number }> = await manager.query(
      `WITH cleared AS (DELETE FROM alert_latches WHERE name = $1 RETURNING 1) SELECT count(*)::int AS n FROM cleared`,
      [name],
    );
    return n > 0;
  }
}
