import type { AppConfig } from '../../config/app-config';

/** Checks a busy CPU holds for: past them, figures that stopped coming no longer keep the node busy. */
export const CPU_BUSY_CHECKS = 3;
/** What `CPU_BUSY_CHECKS` health intervals are when scheduled sweeps are off (checks run only on demand). */
const ON_DEMAND_INTERVAL_MS = 60_000;

/**
 * Whether a check's CPU figure keeps the node from new users: above CPU_BUSY_PERCENT (0 = never), it does for
 * `CPU_BUSY_CHECKS` health intervals, unless a later check says otherwise. Null when it does not.
 */
export function cpuBusy(
  cpuPercent: number | null,
  config: Pick<AppConfig, 'cpuBusyPercent' | 'healthIntervalMs'>,
): { above: number; forMs: number } | null {
  if (config.cpuBusyPercent <= 0 || cpuPercent === null || cpuPercent <= config.cpuBusyPercent) return null;
  return { above: config.cpuBusyPercent, forMs: CPU_BUSY_CHECKS * (config.healthIntervalMs || ON_DEMAND_INTERVAL_MS) };
}
