import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/** Who a message goes to: the webhook receiver, or Telegram chats (subjects `telegram:<chat id>`). */
export type OutboxChannel = 'webhook' | 'telegram';

export interface NewOutboxMessage {
  type: string;
  /** Messages of one subject are delivered in the order they were written; a subject belongs to one channel. */
  subject: string;
  payload: Record<string, unknown>;
}

/** A message of a subject claimed by one replica until its lease runs out. */
export interface ClaimedMessage {
  id: string;
  type: string;
  subject: string;
  sequence: number;
  payload: Record<string, unknown>;
  attempts: number;
  createdAt: Date;
}

export interface ClaimOptions {
  /** Subjects claimed at most. */
  subjects: number;
  /** Consecutive messages answered per subject at most (a webhook goes alone; a chat's alerts go together). */
  perSubject: number;
  leaseSeconds: number;
  /** Names this claim; only its holder settles what it claimed. */
  token: string;
}

export interface OutboxBacklog {
  /** Messages not delivered yet. */
  messages: number;
  /** Age of the oldest of them (0 when there is none). */
  oldestAgeSeconds: number;
  /** Subjects whose next message failed and waits for its retry (their later messages wait with it). */
  retrying: number;
  /** Why the oldest waiting message failed last (null: it was not tried yet, or there is none). */
  oldestError: string | null;
}

/** Every query on `outbox` and `outbox_subjects`: one queue per channel, ordered per subject, claimed with leases. */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Writes messages with the next sequence numbers of their subjects, in the caller's transaction. The subject's row
   * stays locked until that transaction ends, so a subject's numbers follow the order its transactions commit in
   * (subjects are locked in one order, so two writers never wait for each other in a cycle). A subject that had
   * nothing waiting becomes due `holdSeconds` from now, so what follows within that time goes with it.
   */
  async insert(
    channel: OutboxChannel,
    messages: NewOutboxMessage[],
    manager: EntityManager,
    holdSeconds = 0,
  ): Promise<void> {
    if (!messages.length) return;
    await manager.query(
      `WITH input AS (
         SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::jsonb[]) WITH ORDINALITY AS m(type, subject, payload, position)
       ), counts AS (
         SELECT subject, count(*) AS n FROM input GROUP BY subject
       ), numbered AS (
         INSERT INTO outbox_subjects AS s (subject, channel, last_sequence, next_attempt_at)
         SELECT subject, $4, n, now() + make_interval(secs => $5) FROM counts ORDER BY subject
         ON CONFLICT (subject) DO UPDATE SET last_sequence = s.last_sequence + excluded.last_sequence,
           next_attempt_at = CASE WHEN s.delivered_sequence = s.last_sequence
                                  THEN greatest(s.next_attempt_at, excluded.next_attempt_at)
                                  ELSE s.next_attempt_at END
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
        channel,
        holdSeconds,
      ],
    );
  }

  /**
   * Claims up to `subjects` subjects of the channel whose next message is due (none of them held by another replica,
   * none waiting for a retry or a pause) for `leaseSeconds`, and answers their next messages, up to `perSubject` of
   * each, by subject in sequence order.
   */
  async claimDue(channel: OutboxChannel, options: ClaimOptions): Promise<ClaimedMessage[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `WITH claimed AS (
         UPDATE outbox_subjects s SET next_attempt_at = now() + make_interval(secs => $2), claim_token = $3
          WHERE s.subject IN (SELECT subject FROM outbox_subjects
                               WHERE channel = $4 AND delivered_sequence < last_sequence AND next_attempt_at <= now()
                               ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING s.subject, s.delivered_sequence, s.last_sequence
       )
       SELECT o.id::text, o.type, o.subject, o.sequence::text, o.payload, o.attempts, o.created_at
         FROM claimed c JOIN outbox o ON o.subject = c.subject
          AND o.sequence > c.delivered_sequence AND o.sequence <= least(c.last_sequence, c.delivered_sequence + $5)
        ORDER BY o.subject, o.sequence`,
      [options.subjects, options.leaseSeconds, options.token, channel, options.perSubject],
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
   * A run of one subject's claimed messages (consecutive, in order) was delivered: the subject moves past them and
   * its next message is due after `pauseSeconds`. Only the claim's holder moves it (a replica whose lease ran out
   * answers false and changes nothing).
   */
  async delivered(run: ClaimedMessage[], token: string, pauseSeconds = 0): Promise<boolean> {
    const { subject, first, last } = spanOf(run);
    const [, removed]: [unknown, number] = await this.dataSource.query(
      `WITH moved AS (
         UPDATE outbox_subjects
            SET delivered_sequence = $3, next_attempt_at = now() + make_interval(secs => $5), claim_token = NULL
          WHERE subject = $1 AND claim_token = $4 AND delivered_sequence = $2 - 1
         RETURNING 1
       )
       DELETE FROM outbox WHERE subject = $1 AND sequence BETWEEN $2 AND $3 AND EXISTS (SELECT 1 FROM moved)`,
      [subject, first, last, token, pauseSeconds],
    );
    return removed === last - first + 1;
  }

  /** Delivering a run of one subject's claimed messages failed: the subject waits `retryInSeconds` (with the rest). */
  async failed(run: ClaimedMessage[], token: string, error: string, retryInSeconds: number): Promise<void> {
    const { subject, first, last } = spanOf(run);
    await this.dataSource.query(
      `WITH held AS (
         UPDATE outbox_subjects SET next_attempt_at = now() + make_interval(secs => $4), claim_token = NULL
          WHERE subject = $1 AND claim_token = $5
         RETURNING 1
       )
       UPDATE outbox SET attempts = attempts + 1, last_error = $6
        WHERE subject = $1 AND sequence BETWEEN $2 AND $3 AND EXISTS (SELECT 1 FROM held)`,
      [subject, first, last, retryInSeconds, token, error],
    );
  }

  /** The channel's waiting messages, read off its subjects that have any (each one's oldest is its next). */
  async backlog(channel: OutboxChannel): Promise<OutboxBacklog> {
    const [row]: Array<{ messages: number; oldest: number | null; retrying: number; error: string | null }> =
      await this.dataSource.query(
        `SELECT coalesce(sum(s.last_sequence - s.delivered_sequence), 0)::int AS messages,
                extract(epoch FROM now() - min(o.created_at))::float8 AS oldest,
                (count(*) FILTER (WHERE s.claim_token IS NULL AND s.next_attempt_at > now()))::int AS retrying,
                (array_agg(o.last_error ORDER BY o.created_at) FILTER (WHERE o.id IS NOT NULL))[1] AS error
           FROM outbox_subjects s
           LEFT JOIN outbox o ON o.subject = s.subject AND o.sequence = s.delivered_sequence + 1
          WHERE s.channel = $1 AND s.delivered_sequence < s.last_sequence`,
        [channel],
      );
    return {
      messages: row.messages,
      oldestAgeSeconds: Math.max(0, row.oldest ?? 0),
      retrying: row.retrying,
      oldestError: row.error,
    };
  }
}

function spanOf(run: ClaimedMessage[]): { subject: string; first: number; last: number } {
  return { subject: run[0].subject, first: run[0].sequence, last: run[run.length - 1].sequence };
}
