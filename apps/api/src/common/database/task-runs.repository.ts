import { DataSource } from 'typeorm';

/**
 * Claims this tick of a fleet-wide scheduled task: true when no replica ran it in the last `seconds` (recorded in
 * `task_runs`), so replicas sharing the database run it once per interval between them.
 */
export async function claimTick(dataSource: DataSource, task: string, seconds: number): Promise<boolean> {
  const rows = await dataSource.query(
    `INSERT INTO task_runs (name, last_run_at) VALUES ($1, now())
     ON CONFLICT (name) DO UPDATE SET last_run_at = now()
      WHERE task_runs.last_run_at < now() - make_interval(secs => $2)
     RETURNING name`,
    [task, seconds],
  );
  return rows.length > 0;
}
