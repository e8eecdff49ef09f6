export type UsageGranularity = 'hour' | 'day';

export const USAGE_GRANULARITIES: UsageGranularity[] = ['hour', 'day'];

export interface Traffic {
  up: number;
  down: number;
}

/** One bucket's traffic through one node (bytes as the panel counted them). */
export interface UsageBucketView extends Traffic {
  start: string;
  nodeId: number;
}

/**
 * A user's usage (`GET /keys/:telegramId/usage`, `GET /users/:id/usage`): `total` over the buckets asked for,
 * `period` = the current traffic period as counted against the quota (× each node's usage multiplier).
 */
export interface UserUsageView {
  total: Traffic;
  period: Traffic & { start: string | null; end: string | null };
  buckets: UsageBucketView[];
}

export interface NodeUsageView {
  total: Traffic;
  buckets: UsageBucketView[];
}

export interface TopUserView extends Traffic {
  userId: number;
  telegramId: number | null;
  username: string | null;
}

/** Bytes in the largest unit that keeps the number ≥ 1 (decimal units, as quotas are sold). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}
