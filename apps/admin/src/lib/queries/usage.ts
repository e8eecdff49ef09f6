import { queryOptions, useQuery } from '@tanstack/react-query';
import type { UsageBucketView } from '@fleet/contract';
export { formatBytes } from '@fleet/contract';
import { call, fleet } from '../api-client';

export const userUsageQueryOptions = (userId: number) =>
  queryOptions({
    queryKey: ['users', userId, 'usage'],
    queryFn: () =>
      call(fleet.GET('/api/v1/users/{id}/usage', { params: { path: { id: userId }, query: { granularity: 'day' } } })),
    refetchInterval: 60_000,
  });
export const useUserUsage = (userId: number) => useQuery(userUsageQueryOptions(userId));

export const nodeUsageQueryOptions = (nodeId: number) =>
  queryOptions({
    queryKey: ['nodes', nodeId, 'usage'],
    queryFn: () =>
      call(fleet.GET('/api/v1/nodes/{id}/usage', { params: { path: { id: nodeId }, query: { granularity: 'hour' } } })),
    refetchInterval: 60_000,
  });
export const useNodeUsage = (nodeId: number) => useQuery(nodeUsageQueryOptions(nodeId));

export const topUsersQueryOptions = () =>
  queryOptions({
    queryKey: ['stats', 'top-users'],
    queryFn: () => call(fleet.GET('/api/v1/stats/top-users', { params: { query: { hours: 24, limit: 10 } } })),
    refetchInterval: 60_000,
  });
export const useTopUsers = () => useQuery(topUsersQueryOptions());

/** Chart rows: one per bucket, one column per node (up + down), in time order. */
export function toUsageRows(
  buckets: UsageBucketView[],
  nodeName: (nodeId: number) => string,
): { rows: Array<Record<string, number | string>>; series: string[] } {
  const byStart = new Map<string, Record<string, number | string>>();
  const series = new Set<string>();
  for (const bucket of buckets) {
    const name = nodeName(bucket.nodeId);
    series.add(name);
    const row = byStart.get(bucket.start) ?? { start: bucket.start };
    row[name] = Number(row[name] ?? 0) + bucket.up + bucket.down;
    byStart.set(bucket.start, row);
  }
  return {
    rows: [...byStart.values()].sort((a, b) => String(a['start']).localeCompare(String(b['start']))),
    series: [...series],
  };
}
