import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A node's server figures, as its panel's `server/status` last reported them, and whether its CPU keeps it from
 * taking new users.
 *
 * - `server_figures` (jsonb): the latest figures only, replaced by every check that reads them, in the shape the API
 *   shows (`NodeServerFigures` without `at`): a dozen figures, most only ever displayed, some nested (memory, disk,
 *   loads), and more to come as panels report more; one column keeps the node row narrow and a new figure free of a
 *   migration. Values are bounded before they are written, so the column never holds NaN or an absurd number.
 *   `figures_at`: when they were read (older than `last_health_check` when the last check could not read them).
 * - `cpu_busy_above`, `cpu_busy_until`: what the rule reads, typed. A check that finds the CPU above
 *   CPU_BUSY_PERCENT records that threshold and a time a few health intervals ahead; the node takes no new users
 *   until then. Decided when the figures are written, as the health status is, so the eligibility rule stays a
 *   function of the row, and figures that stop coming expire on their own.
 *
 * The history needs nothing new: each `health_checks` row already keeps the check's `cpu`, `mem_used` and
 * `mem_total`, from which the history route derives CPU and memory percents.
 */
export class NodeServerFigures1764920000000 implements MigrationInterface {
  name = 'NodeServerFigures1764920000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE nodes
        ADD COLUMN server_figures jsonb,
        ADD COLUMN figures_at timestamptz,
        ADD COLUMN cpu_busy_above smallint,
        ADD COLUMN cpu_busy_until timestamptz,
        ADD CONSTRAINT nodes_server_figures_object CHECK (jsonb_typeof(server_figures) = 'object'),
        ADD CONSTRAINT nodes_cpu_busy_above_percent CHECK (cpu_busy_above BETWEEN 1 AND 100),
        ADD CONSTRAINT nodes_cpu_busy_whole CHECK ((cpu_busy_above IS NULL) = (cpu_busy_until IS NULL))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE nodes
        DROP CONSTRAINT nodes_cpu_busy_whole,
        DROP CONSTRAINT nodes_cpu_busy_above_percent,
        DROP CONSTRAINT nodes_server_figures_object,
        DROP COLUMN cpu_busy_until,
        DROP COLUMN cpu_busy_above,
        DROP COLUMN figures_at,
        DROP COLUMN server_figures`);
  }
}
