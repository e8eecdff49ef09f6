import { MigrationInterface, QueryRunner } from 'typeorm';

/** The order in which a node gives up its users to a rebalance (newest first), read off an index per node. */
export class RebalancePick1764730000000 implements MigrationInterface {
  name = 'RebalancePick1764730000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE INDEX assignments_rebalance_pick ON assignments (node_id, assigned_at DESC, id DESC) WHERE state = 'active'`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX assignments_rebalance_pick`);
  }
}
