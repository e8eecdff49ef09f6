import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The last reconcile of a node keeps what remains after it (`missing`, `extra`, `changed`, `foreign`, `inbound`,
 * `sample`), what it found (`found`) and what it corrected by kind (`corrected`, a total before). Rows written before
 * this: a pass that corrected all it found left nothing; any other keeps what it found until the next pass.
 */
export class DriftAfterRepair1764820000000 implements MigrationInterface {
  name = 'DriftAfterRepair1764820000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE node_drift ADD COLUMN found jsonb`);
    await db.query(`
      UPDATE node_drift SET found = jsonb_build_object(
        'missing', missing, 'extra', extra, 'changed', changed, 'foreign', "foreign", 'inbound', inbound)`);
    await db.query(`ALTER TABLE node_drift ALTER COLUMN found SET NOT NULL`);
    // (an inbound refresh counted once, whatever fields it took)
    await db.query(`
      ALTER TABLE node_drift ALTER COLUMN corrected TYPE jsonb USING
        CASE WHEN NOT dry_run AND corrected > 0
                  AND corrected >= missing + extra + changed + (jsonb_array_length(inbound) > 0)::int
             THEN jsonb_build_object('missing', missing, 'extra', extra, 'changed', changed, 'inbound', inbound)
             ELSE '{"missing": 0, "extra": 0, "changed": 0, "inbound": []}'::jsonb END`);
    await db.query(`
      UPDATE node_drift SET missing = 0, extra = 0, changed = 0, inbound = '[]', sample = '[]'
       WHERE corrected <> '{"missing": 0, "extra": 0, "changed": 0, "inbound": []}'::jsonb`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      UPDATE node_drift SET missing = (found->>'missing')::int, extra = (found->>'extra')::int,
             changed = (found->>'changed')::int, "foreign" = (found->>'foreign')::int, inbound = found->'inbound'`);
    await db.query(`
      ALTER TABLE node_drift ALTER COLUMN corrected TYPE integer USING
        (corrected->>'missing')::int + (corrected->>'extra')::int + (corrected->>'changed')::int
        + (jsonb_array_length(corrected->'inbound') > 0)::int`);
    await db.query(`ALTER TABLE node_drift DROP COLUMN found`);
  }
}
