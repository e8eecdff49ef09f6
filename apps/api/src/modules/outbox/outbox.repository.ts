import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface NewOutboxMessage {
  type: string;
  /** `user:<id>`, `node:<id>` or `fleet`: messages of one subject are delivered in the order they were written. */
  subject: string;
  payload: Record<string, unknown>;
}

/** A subject's next message, claimed by one replica until its lease runs out. */
export interface ClaimedMessage {
  id: string;
  type: string;
  subject: string;
  sequence: number;
  payload: Record<string, unknown>;
  attempts: number;
  createdAt: Date;
}

export interface OutboxBacklog {
  /** Messages not delivered yet. */
  messages: number;
  /** Age of the oldest of them (0 when there is none). */
  oldestAgeSeconds: number;
  /** Subjects whose next message failed and waits for its retry (their later messages wait with it). */
  retrying: number;
}

/** Every query on `outbox` and `outbox_subjects`. */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Writes messages with the next sequence numbers of their subjects, in the caller's transaction. The subject's row
   * stays locked until that transaction ends, so a subject's numbers follow the order its transactions commit in
   * (subjects are locked in one order, so two writers never wait for each other in a cycle).
   */
  async insert(messages: NewOutboxMessage[], manager: EntityManager): Promise<void> {
    if (!messages.length) return;
    await manager.query(
      `WITH input AS (
         SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::jsonb[]) WITH ORDINALITY AS m(type, subject, payload, position)
       ), counts AS (
         SELECT subject, count(*) AS n FROM input GROUP BY subject
       ), numbered AS (
         INSERT INTO outbox_subjects AS s (subject, last_sequence)
         SELECT subject, n FROM counts ORDER BY subject
         ON CONFLICT (subject) DO UPDATE SET last_sequence = s.last_sequence + excluded.last_sequence
         RETURNING subject, last_sequence
       )
       INSERT INTO outbox (type, subject, sequence, payload)
       SELECT i.type, i.subject, b.last_sequence - c.n + row_number() OVER (PARTITION BY i.subject ORDER BY i.position),
              i.payload
         FROM input i JOIN counts c USING (subject) JOIN numbered b USING (subject)`,
      [
        messages.map((message) => message.type),
        messages.map((message) => message.subject),
        messages.map((message) => JSON.stringify(message.payload)),
      ],
    );
  }

  /**
   * Claims up to `limit` subjects whose next message is due (none of them held by another replica, none waiting
   * for a retry) for `leaseSeconds`, and answers those messages: at most one per subject.
   */
  async claimDue(limit: number, leaseSeconds: number, token: string): Promise<ClaimedMessage[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `WITH claimed AS (
         UPDATE outbox_subjects s SET next_attempt_at = now() + make_interval(secs => $2), claim_token = $3
          WHERE s.subject IN (SELECT subject FROM outbox_subjects
                               WHERE delivered_sequence < last_sequence AND next_attempt_at <= now()
                               ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING s.subject, s.delivered_sequence + 1 AS sequence
       )
       SELECT o.id::text, o.type, o.subject, o.sequence::text, o.payload, o.attempts, o.created_at
         FROM claimed c JOIN outbox o ON o.subject = c.subject AND o.sequence = c.sequence
        ORDER BY o.id`,
      [limit, leaseSeconds, token],
    );
    return rows.map((row) => ({
      id: row['id'] as string,
      type: row['type'] as string,
      subject: row['subject'] as string,
      sequence: Number(row['sequence']),
      payload: row['payload'] as Record<string, unknown>,
      attempts: row['attempts'] as number,
      createdAt: new Date(row['created_at'] as string),
    }));
  }

  /**
   * The message was delivered: its subject moves on to the next one, which is due at once. Only the claim's holder
   * moves it (a replica whose lease ran out answers false and changes nothing).
   */
  async delivered(message: ClaimedMessage, token: string): Promise<boolean> {
    const [, removed]: [unknown, number] = await this.dataSource.query(
      `WITH moved AS (
         UPDATE outbox_subjects SET delivered_sequence = $3, next_attempt_at = now(), claim_token = NULL
          WHERE subject = $2 AND claim_token = $4 AND delivered_sequence = $3 - 1
         RETURNING 1
       )
       DELETE FROM outbox WHERE id = $1 AND EXISTS (SELECT 1 FROM moved)`,
      [message.id, message.subject, message.sequence, token],
    );
    return removed === 1;
  }

  /** The delivery failed: the subject waits `retryInSeconds` (its later messages with it). */
  async failed(message: ClaimedMessage, token: string, error: string, retryInSeconds: number): Promise<void> {
    await this.dataSource.query(
      `WITH held AS (
         UPDATE outbox_subjects SET next_attempt_at = now() + make_interval(secs => $3), claim_token = NULL
          WHERE subject = $2 AND claim_token = $4
         RETURNING 1
       )
       UPDATE outbox SET attempts = attempts + 1, last_error = $5 WHERE id = $1 AND EXISTS (SELECT 1 FROM held)`,
      [message.id, message.subject, retryInSeconds, token, error],
    );
  }

  async backlog(): Promise<OutboxBacklog> {
    const [row]: Array<{ messages: number; oldest: number | null; retrying: number }> = await this.dataSource.query(
      `SELECT (SELECT count(*)::int FROM outbox) AS messages,
              (SELECT extract(epoch FROM now() - min(created_at))::float8 FROM outbox) AS oldest,
              (SELECT count(*)::int FROM outbox_subjects
                WHERE delivered_sequence < last_sequence AND claim_token IS NULL AND next_attempt_at > now()) AS retrying`,
    );
    return { messages: row.messages, oldestAgeSeconds: Math.max(0, row.oldest ?? 0), retrying: row.retrying };
  }
}
