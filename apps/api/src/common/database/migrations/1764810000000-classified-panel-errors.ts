import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reason a viewer may read for an error recorded before panel errors were classified (`kind: message`, where
 * the message could hold the panel's own text). Errors of our own making (an unfit inbound, pending deletions) are
 * left as they are.
 */
const CLASSIFIED = (error: string) => `CASE
  WHEN ${error} ~ '^unreachable: .*ECONNREFUSED' THEN 'refused'
  WHEN ${error} ~ '^unreachable: (no answer within|.*timed out)' THEN 'timeout'
  WHEN ${error} ~ '^unreachable: ' THEN 'unreachable'
  WHEN ${error} ~ '^auth-failed: ' THEN 'auth failed'
  WHEN ${error} ~ '^(protocol|session-rejected|unconfirmed): ' THEN 'bad response'
  WHEN ${error} ~ '^(rejected|not-found|duplicate-email): ' THEN 'rejected by the panel'
  WHEN ${error} ~ '^xray is [a-z]+: ' THEN substring(${error} from '^xray is [a-z]+')
  WHEN ${error} ~ '^reconcile: ' THEN 'reconcile failed'
  ELSE ${error} END`;
const UNCLASSIFIED = `'^(unreachable|auth-failed|protocol|session-rejected|unconfirmed|rejected|not-found|duplicate-email|reconcile): |^xray is [a-z]+: '`;

/**
 * Panel errors recorded before they were classified may carry the panel's own text (which may repeat what we sent
 * it): the nodes' last errors, the health history and the node.down/node.up events get the classified reason instead.
 * The text they replace is not kept, so `down` has nothing to restore.
 */
export class ClassifiedPanelErrors1764810000000 implements MigrationInterface {
  name = 'ClassifiedPanelErrors1764810000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`UPDATE nodes SET last_error = ${CLASSIFIED('last_error')} WHERE last_error ~ ${UNCLASSIFIED}`);
    await db.query(`UPDATE health_checks SET error = ${CLASSIFIED('error')} WHERE error ~ ${UNCLASSIFIED}`);
    await db.query(
      `UPDATE events SET payload = jsonb_set(payload, '{error}', to_jsonb(${CLASSIFIED(`payload->>'error'`)}))
        WHERE type IN ('node.down', 'node.up') AND payload->>'error' ~ ${UNCLASSIFIED}`,
    );
  }

  async down(): Promise<void> {
    // Nothing to undo in the schema; the replaced text is gone on purpose.
  }
}
