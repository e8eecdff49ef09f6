import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two fewer index entries per placement or move. `assignments_one_live_per_node` and `assignments_live_by_node` held
 * the same live rows on the same two columns in the two orders: one unique index on (node_id, user_id) keeps the
 * rule (one live seat per user and node) and serves the node's lookups, while a user's live rows are found through
 * the seat indexes (active, pending). `assignments_pending_since` goes too: pending rows are the moves in flight,
 * few enough to sort, and the pending seat index lists them.
 */
export class FewerAssignmentIndexes1764960000000 implements MigrationInterface {
  name = 'FewerAssignmentIndexes1764960000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX assignments_one_live_per_node`);
    await db.query(`DROP INDEX assignments_live_by_node`);
    await db.query(
      `CREATE UNIQUE INDEX assignments_one_live_per_node ON assignments (node_id, user_id) WHERE state <> 'released'`,
    );
    await db.query(`DROP INDEX assignments_pending_since`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX assignments_pending_since ON assignments (created_at) WHERE state = 'pending'`);
    await db.query(`DROP INDEX assignments_one_live_per_node`);
    await db.query(`CREATE INDEX assignments_live_by_node ON assignments (node_id, user_id) WHERE state <> 'released'`);
    await db.query(
      `CREATE UNIQUE INDEX assignments_one_live_per_node ON assignments (user_id, node_id) WHERE state <> 'released'`,
    );
  }
}
