import { queryOptions, useQueries, useQuery } from '@tanstack/react-query';
import type { EventView, NodeView, Page, StatsOverview } from '@fleet/contract';
import { api } from '../../../lib/api-client';
import { HealthCheckRow, healthHistory, nodesQueryOptions } from '../../../lib/queries/nodes';

export interface LoadBar {
  name: string;
  users: number;
  free: number;
  health: string;
}

export interface FleetSummary {
  healthy: number;
  unhealthy: number;
  maintenance: number;
  users: number;
  freeCapacity: number;
  access: StatsOverview['access'];
  traffic: StatsOverview['usage']['last24h'];
}

/** Chart rows: users and free seats per node (a stacked bar reads as "current vs max"). */
export function toLoadBars(nodes: NodeView[]): LoadBar[] {
  return nodes.map((node) => ({
    name: node.name,
    users: node.currentUsers,
    free: Math.max(0, node.maxUsers - node.currentUsers),
    health: node.healthStatus,
  }));
}

/** The cards, from the API's fleet counts (the eligibility rule lives in the API only). */
export function summarise(overview: StatsOverview): FleetSummary {
  return {
    healthy: overview.nodes.healthy,
    unhealthy: overview.nodes.unhealthy,
    maintenance: overview.nodes.maintenance,
    users: overview.users.placed,
    freeCapacity: overview.capacity.free,
    access: overview.access,
    traffic: overview.usage.last24h,
  };
}

export const overviewQueryOptions = () =>
  queryOptions({
    queryKey: ['stats', 'overview'],
    queryFn: () => api<StatsOverview>('/stats/overview'),
    refetchInterval: 5000,
  });

export const useLoadBars = () => useQuery({ ...nodesQueryOptions(), select: toLoadBars });
export const useFleetSummary = () => useQuery({ ...overviewQueryOptions(), select: summarise });

export const latestEventsQueryOptions = () =>
  queryOptions({
    queryKey: ['events', 'latest'],
    queryFn: () => api<Page<EventView>>('/events?limit=10'),
    refetchInterval: 5000,
  });
export const useLatestEvents = () => useQuery(latestEventsQueryOptions());

/** One row per check time, one column per node (response time in ms; empty where that node was not checked). */
export function toResponseSeries(histories: Array<{ name: string; rows: HealthCheckRow[] }>) {
  const byTime = new Map<number, Record<string, number | null>>();
  for (const { name, rows } of histories) {
    for (const row of rows) {
      const time = Math.round(new Date(row.checkedAt).getTime() / 1000) * 1000;
      byTime.set(time, { ...byTime.get(time), [name]: row.ok ? row.responseTimeMs : null });
    }
  }
  return [...byTime.entries()].sort(([a], [b]) => a - b).map(([time, values]) => ({ time, ...values }));
}

/** Response-time history of the whole fleet (each node's recent checks). */
export function useFleetResponseTimes(nodes: NodeView[]) {
  return useQueries({
    queries: nodes.map((node) => ({
      queryKey: ['nodes', node.id, 'health'],
      queryFn: () => healthHistory(node.id),
      refetchInterval: 10_000,
    })),
    combine: (results) =>
      toResponseSeries(results.map((result, i) => ({ name: nodes[i].name, rows: (result.data ?? []).slice(0, 60) }))),
  });
}
