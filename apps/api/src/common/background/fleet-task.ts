import { DataSource } from 'typeorm';
import { tryAdvisoryLock } from '../database/advisory-lock';
import { claimTick } from '../database/task-runs.repository';

/**
 * Runs `work` as this tick of a fleet-wide scheduled task: on one replica at a time (advisory lock `lock`), and at most
 * once per 90 % of `intervalMs` between all replicas (recorded in `task_runs`) unless `force`d.
 */
export async function runFleetTask<T>(
  dataSource: DataSource,
  task: { name: string; lock: number; intervalMs: number; force?: boolean },
  work: () => Promise<T>,
): Promise<{ ran: true; result: T } | { ran: false }> {
  const outcome = await tryAdvisoryLock(dataSource, task.lock, async () => {
    const seconds = task.force ? 0 : (task.intervalMs * 0.9) / 1000;
    if (!(await claimTick(dataSource, task.name, seconds))) return { claimed: false as const };
    return { claimed: true as const, result: await work() };
  });
  return outcome.ran && outcome.result.claimed ? { ran: true, result: outcome.result.result } : { ran: false };
}
