import { MigrationInterface, QueryRunner } from 'typeorm';

/** The last reconcile of each node: what differed from the database, what was corrected, a sample. */
export class NodeDrift1764300000000 implements MigrationInterface {
  name = 'NodeDrift1764300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE node_drift (
        node_id    integer     PRIMARY KEY REFERENCES nodes (id) ON DELETE CASCADE,
        checked_at timestamptz NOT NULL,
        missing    integer     NOT NULL,
        extra      integer     NOT NULL,
        changed    integer     NOT NULL,
        "foreign"  integer     NOT NULL,
        corrected  integer     NOT NULL,
        dry_run    boolean     NOT NULL,
        sample     jsonb       NOT NULL
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE node_drift`);
  }
}
