import { MigrationInterface, QueryRunner } from 'typeorm';

/** One row per health sweep with the fleet's figures: the dashboard's chart reads a row per sweep, not per node. */
export class HealthSweeps1764700000000 implements MigrationInterface {
  name = 'HealthSweeps1764700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE health_sweeps (
        id bigserial PRIMARY KEY,
        swept_at timestamptz NOT NULL DEFAULT now(),
        checked integer NOT NULL,
        failed integer NOT NULL,
        median_ms integer,
        p95_ms integer,
        slowest_ms integer,
        slowest_node_id integer
      )`);
    await db.query(`CREATE INDEX health_sweeps_time ON health_sweeps (swept_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE health_sweeps`);
  }
}
