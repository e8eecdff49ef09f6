import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FleetHealthStep, GroupView, NodeLoadView, RecentHealth, StatsOverview } from '@fleet/contract';
import { call, fleet } from '../../../lib/api-client';
import { serverName } from '@fleet/contract';

export interface LoadBar {
  /** The node's group, with its flag ('' when the groups are not known). */
  group: string;
  name: string;
  users: number;
  free: number;
  /** Users and free seats as shares of the capacity (the chart's scale: nodes of any size side by side). */
  loadPercent: number;
  freePercent: number;
  health: string;
}

export interface FleetSummary {
  healthy: number;
  unhealthy: number;
  maintenance: number;
  users: number;
  freeCapacity: number;
  /** Servers of users' plans waiting for capacity. */
  seatsWaiting: number;
  access: StatsOverview['access'];
  traffic: StatsOverview['usage']['last24h'];
}

/** Bars the load chart draws at most: past that, the busiest nodes (the nodes page lists them all). */
export const MAX_BARS = 40;

/**
 * Chart rows: users and free seats per node (a stacked bar reads as "current vs max"), grouped by node group in the
 * groups' order; past MAX_BARS, the busiest nodes only.
 */
export function toLoadBars(loads: NodeLoadView[], groups: GroupView[] = []): LoadBar[] {
  const busiest =
    loads.length > MAX_BARS ? [...loads].sort((a, b) => b.loadRatio - a.loadRatio).slice(0, MAX_BARS) : loads;
  const place = new Map(groups.map((group, i) => [group.id, i]));
  const named = new Map(groups.map((group) => [group.id, serverName(group)]));
  const shown = [...busiest].sort(
    (a, b) => (place.get(a.groupId) ?? groups.length) - (place.get(b.groupId) ?? groups.length),
  );
  return shown.map((node) => {
    const loadPercent = node.maxUsers ? Math.min(100, Math.round((node.currentUsers / node.maxUsers) * 100)) : 0;
    return {
      group: named.get(node.groupId) ?? '',
      name: node.name,
      users: node.currentUsers,
      free: Math.max(0, node.maxUsers - node.currentUsers),
      loadPercent,
      freePercent: 100 - loadPercent,
      health: node.healthStatus,
    };
  });
}

/** The cards, from the API's fleet counts (the eligibility rule lives in the API only). */
export function summarise(overview: StatsOverview): FleetSummary {
  return {
    healthy: overview.nodes.healthy,
    unhealthy: overview.nodes.unhealthy,
    maintenance: overview.nodes.maintenance,
    users: overview.users.placed,
    freeCapacity: overview.capacity.free,
    seatsWaiting: overview.alerts.seatsWaiting,
    access: overview.access,
    traffic: overview.usage.last24h,
  };
}

export const overviewQueryOptions = () =>
  queryOptions({
    queryKey: ['stats', 'overview'],
    queryFn: () => call(fleet.GET('/api/v1/stats/overview')),
    refetchInterval: 10_000,
  });
export const useFleetSummary = () => useQuery({ ...overviewQueryOptions(), select: summarise });

export const loadsQueryOptions = () =>
  queryOptions({
    queryKey: ['balancer', 'loads'],
    queryFn: () => call(fleet.GET('/api/v1/balancer/loads')),
    // a chart of hundreds of nodes is read for its shape: refreshed less often, it keeps a tab's polls small
    refetchInterval: (query) => ((query.state.data?.length ?? 0) > 100 ? 30_000 : 5_000),
  });
export const useLoads = () => useQuery(loadsQueryOptions());

export const latestEventsQueryOptions = () =>
  queryOptions({
    queryKey: ['events', 'latest'],
    queryFn: () => call(fleet.GET('/api/v1/events', { params: { query: { limit: 10 } } })),
    refetchInterval: 10_000,
  });
export const useLatestEvents = () => useQuery(latestEventsQueryOptions());

/** The response-time chart's window. */
export const RECENT_WINDOW_MS = 15 * 60_000;
const STEP_SECONDS = 30;

/** Places each series' slots at their step in a window of `length` steps from `from`. */
function placeSlots<T>(rows: Map<number, Array<T | null>>, length: number, offset: number, key: number, slots: T[]) {
  const row = rows.get(key) ?? new Array<T | null>(length).fill(null);
  slots.forEach((value, i) => {
    if (offset + i >= 0 && offset + i < length) row[offset + i] = value;
  });
  rows.set(key, row);
}

/**
 * Joins a poll's steps onto what is known: the poll starts at the last known step (it may have gained checks since)
 * and everything before the window is dropped. Nodes missing from the poll keep their earlier steps.
 */
export function mergeRecent(known: RecentHealth | undefined, fresh: RecentHealth, windowStart: number): RecentHealth {
  const from = Math.max(known?.from ?? fresh.from, Math.floor(windowStart / fresh.stepMs) * fresh.stepMs);
  const length = (fresh.from - from) / fresh.stepMs + fresh.fleet.length;
  const FLEET = 0;
  const rows = new Map<number, Array<FleetHealthStep | number | null>>();
  for (const series of known ? [known, fresh] : [fresh]) {
    const offset = (series.from - from) / series.stepMs;
    placeSlots(rows, length, offset, FLEET, series.fleet);
    for (const node of series.nodes) placeSlots(rows, length, offset, node.nodeId, node.ms);
  }
  const { [FLEET]: fleet, ...nodes } = Object.fromEntries(rows);
  return {
    from,
    stepMs: fresh.stepMs,
    fleet: fleet as Array<FleetHealthStep | null>,
    nodes: Object.entries(nodes)
      .map(([nodeId, ms]) => ({ nodeId: Number(nodeId), ms: ms as Array<number | null> }))
      .sort((a, b) => a.nodeId - b.nodeId),
  };
}

/** The fleet's recent response times: the whole window once, then only the steps since the last one. */
export function useRecentHealth() {
  const queryClient = useQueryClient();
  const queryKey = ['health', 'recent'];
  return useQuery({
    queryKey,
    queryFn: async () => {
      const known = queryClient.getQueryData<RecentHealth>(queryKey);
      const windowStart = Date.now() - RECENT_WINDOW_MS;
      const lastStep = known ? known.from + (known.fleet.length - 1) * known.stepMs : undefined;
      const since = new Date(Math.max(lastStep ?? windowStart, windowStart)).toISOString();
      const fresh = await call(
        fleet.GET('/api/v1/health/recent', { params: { query: { since, stepSeconds: STEP_SECONDS } } }),
      );
      return mergeRecent(known, fresh, windowStart);
    },
    refetchInterval: 10_000,
  });
}

/** One row per step for the chart and the names of its lines: a line per node when the API sent each node's, else
 * the fleet's median, 95th percentile and slowest. */
export function toResponseSeries(recent: RecentHealth | undefined, names: Map<number, string>) {
  if (!recent) return { lines: [] as string[], rows: [] as Array<Record<string, number | null>> };
  const time = (i: number) => recent.from + i * recent.stepMs;
  if (recent.nodes.length) {
    const lines = recent.nodes.map((node) => names.get(node.nodeId) ?? `node ${node.nodeId}`);
    const rows = recent.fleet.map((_, i) =>
      Object.fromEntries([['time', time(i)], ...recent.nodes.map((node, n) => [lines[n], node.ms[i]])]),
    );
    return { lines, rows };
  }
  const rows = recent.fleet.map((step, i) => ({
    time: time(i),
    median: step?.medianMs ?? null,
    p95: step?.p95Ms ?? null,
    slowest: step?.slowestMs ?? null,
  }));
  return { lines: ['median', 'p95', 'slowest'], rows };
}
