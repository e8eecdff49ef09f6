import { MigrationInterface, QueryRunner } from 'typeorm';

/** Health-check history (for charts and diagnosis) and the bookkeeping of fleet-wide scheduled tasks. */
export class HealthHistory1763900000000 implements MigrationInterface {
  name = 'HealthHistory1763900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE health_checks (
        id               bigserial PRIMARY KEY,
        node_id          integer NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
        checked_at       timestamptz NOT NULL DEFAULT now(),
        ok               boolean NOT NULL,
        health_status    varchar(16) NOT NULL,
        response_time_ms integer,
        cpu              double precision,
        mem_used         bigint,
        mem_total        bigint,
        online_clients   integer,
        xray_state       varchar(16),
        error            text
      )`);
    await db.query(`CREATE INDEX health_checks_node_time ON health_checks (node_id, checked_at DESC)`);
    await db.query(`CREATE INDEX health_checks_time ON health_checks (checked_at)`);
    await db.query(`
      CREATE TABLE task_runs (
        name        varchar(64) PRIMARY KEY,
        last_run_at timestamptz NOT NULL
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE task_runs`);
    await db.query(`DROP TABLE health_checks`);
  }
}
