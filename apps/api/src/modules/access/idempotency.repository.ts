import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/** First answers of requests that carry an `Idempotency-Key`, kept 24 hours. */
@Injectable()
export class IdempotencyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Claims the key in the caller's transaction: true for the first request. A concurrent request with the same key
   * waits here until the first one's transaction ends, then gets false (and reads `answerOf`).
   */
  async claim(scope: string, key: string, manager: EntityManager): Promise<boolean> {
    await manager.query(
      `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND created_at < now() - interval '24 hours'`,
      [scope, key],
    );
    const rows: unknown[] = await manager.query(
      `INSERT INTO idempotency_keys (scope, key) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING key`,
      [scope, key],
    );
    return rows.length > 0;
  }

  async remember(scope: string, key: string, answer: unknown, manager: EntityManager): Promise<void> {
    await manager.query(`UPDATE idempotency_keys SET response = $3 WHERE scope = $1 AND key = $2`, [
      scope,
      key,
      JSON.stringify(answer),
    ]);
  }

  async answerOf<T>(scope: string, key: string): Promise<T | null> {
    const [row] = await this.dataSource.query(`SELECT response FROM idempotency_keys WHERE scope = $1 AND key = $2`, [
      scope,
      key,
    ]);
    return (row?.response as T) ?? null;
  }

  async prune(): Promise<void> {
    await this.dataSource.query(`DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'`);
  }
}
