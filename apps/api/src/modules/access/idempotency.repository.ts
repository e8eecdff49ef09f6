import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { IdempotentRequest } from '../../common/http/idempotency-key';

/** What an earlier request with the same key was, and its answer. */
export interface EarlierRequest {
  principal: string | null;
  route: string;
  bodyHash: string | null;
  response: unknown;
}

/** First answers of requests that carry an `Idempotency-Key`, with what each key named, kept 24 hours. */
@Injectable()
export class IdempotencyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Claims the key in the caller's transaction: null for the first request. A concurrent request with the same key
   * waits here until the first one's transaction ends, then gets that request and its answer (or the claim, when the
   * first one rolled back).
   */
  async claim(request: IdempotentRequest, manager: EntityManager): Promise<EarlierRequest | null> {
    await manager.query(`DELETE FROM idempotency_keys WHERE key = $1 AND created_at < now() - interval '24 hours'`, [
      request.key,
    ]);
    const claimed: unknown[] = await manager.query(
      `INSERT INTO idempotency_keys (key, principal, route, body_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING key`,
      [request.key, request.principal, request.route, request.bodyHash],
    );
    if (claimed.length) return null;
    const [earlier] = await manager.query(
      `SELECT principal, route, body_hash AS "bodyHash", response FROM idempotency_keys WHERE key = $1`,
      [request.key],
    );
    return earlier ?? this.claim(request, manager); // pruned in between: claim it again
  }

  async remember(key: string, answer: unknown, manager: EntityManager): Promise<void> {
    await manager.query(`UPDATE idempotency_keys SET response = $2 WHERE key = $1`, [key, JSON.stringify(answer)]);
  }

  async prune(): Promise<void> {
    await this.dataSource.query(`DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'`);
  }
}
