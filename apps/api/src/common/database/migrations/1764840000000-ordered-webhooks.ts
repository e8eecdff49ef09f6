import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks in order per subject (a user, a node): each message gets the next sequence number of its subject, and a
 * subject's queue state (sequence delivered so far, when its next message may go, which replica holds it) lives in
 * `outbox_subjects`, so a message waits while an earlier one of its subject is retried. The outbox keeps only what
 * is still to be delivered (the event log is the history). Waiting messages are numbered per subject in id order.
 */
export class OrderedWebhooks1764840000000 implements MigrationInterface {
  name = 'OrderedWebhooks1764840000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE outbox_subjects (
        subject            varchar(40) PRIMARY KEY,
        last_sequence      bigint NOT NULL,
        delivered_sequence bigint NOT NULL DEFAULT 0,
        next_attempt_at    timestamptz NOT NULL DEFAULT now(),
        claim_token        uuid,
        CONSTRAINT outbox_subjects_sequences CHECK (0 <= delivered_sequence AND delivered_sequence <= last_sequence)
      )`);
    await db.query(
      `CREATE INDEX outbox_subjects_due ON outbox_subjects (next_attempt_at) WHERE delivered_sequence < last_sequence`,
    );
    await db.query(`DELETE FROM outbox WHERE delivered_at IS NOT NULL`);
    await db.query(`ALTER TABLE outbox ADD COLUMN subject varchar(40), ADD COLUMN sequence bigint`);
    await db.query(`
      UPDATE outbox o SET subject = n.subject, sequence = n.sequence
        FROM (SELECT id, subject, row_number() OVER (PARTITION BY subject ORDER BY id) AS sequence
                FROM (SELECT id, CASE WHEN payload ? 'userId' THEN 'user:' || (payload->>'userId')
                                      WHEN payload ? 'nodeId' THEN 'node:' || (payload->>'nodeId')
                                      ELSE 'fleet' END AS subject
                        FROM outbox) s) n
       WHERE n.id = o.id`);
    await db.query(`
      INSERT INTO outbox_subjects (subject, last_sequence, next_attempt_at)
      SELECT subject, max(sequence), min(next_attempt_at) FROM outbox GROUP BY subject`);
    await db.query(`ALTER TABLE outbox ALTER COLUMN subject SET NOT NULL, ALTER COLUMN sequence SET NOT NULL`);
    await db.query(`ALTER TABLE outbox DROP COLUMN next_attempt_at, DROP COLUMN delivered_at`);
    await db.query(`CREATE UNIQUE INDEX outbox_subject_sequence ON outbox (subject, sequence)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX outbox_subject_sequence`);
    await db.query(`
      ALTER TABLE outbox ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
                         ADD COLUMN delivered_at timestamptz`);
    await db.query(`
      UPDATE outbox o SET next_attempt_at = s.next_attempt_at
        FROM outbox_subjects s WHERE s.subject = o.subject AND o.sequence = s.delivered_sequence + 1`);
    await db.query(`ALTER TABLE outbox DROP COLUMN subject, DROP COLUMN sequence`);
    await db.query(`DROP TABLE outbox_subjects`);
    await db.query(`CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL`);
  }
}
