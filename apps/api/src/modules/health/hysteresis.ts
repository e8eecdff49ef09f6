import type { HealthStatus } from '@fleet/contract';

export interface Streak {
  status: HealthStatus;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
}

/**
 * A node's health after one more check: a node never checked takes the first result; then it falls after `fall`
 * failures in a row and rises after `rise` successes in a row. Flapping in between changes nothing.
 */
export function nextHealth(current: Streak, ok: boolean, limits: { fall: number; rise: number }): Streak {
  const consecutiveFailures = ok ? 0 : current.consecutiveFailures + 1;
  const consecutiveSuccesses = ok ? current.consecutiveSuccesses + 1 : 0;
  let status = current.status;
  if (status === 'unknown') status = ok ? 'healthy' : 'unhealthy';
  else if (status === 'healthy' && consecutiveFailures >= limits.fall) status = 'unhealthy';
  else if (status === 'unhealthy' && consecutiveSuccesses >= limits.rise) status = 'healthy';
  return { status, consecutiveFailures, consecutiveSuccesses };
}
