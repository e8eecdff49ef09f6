import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  ConnectionTest,
  DrainStarted,
  DriftView,
  HealthCheckView,
  JobStarted,
  NodeView,
  Page,
} from '@fleet/contract';
import { api } from '../api-client';

export type NodeInput = Partial<Omit<NodeView, 'id' | 'createdAt' | 'updatedAt'>> & { panelPassword?: string };

/** Every node, for pickers and names (refreshed each minute, conditionally: a fleet's list is rarely new). */
export const nodesQueryOptions = () =>
  queryOptions({
    queryKey: ['nodes'],
    queryFn: () => api<Page<NodeView>>('/nodes', { revalidate: true }),
    select: (page) => page.items,
    refetchInterval: 60_000,
  });

export const useNodes = () => useQuery(nodesQueryOptions());

export interface NodeFilters {
  status?: string;
  health?: string;
  location?: string;
  search?: string;
}

export const NODES_PAGE_SIZE = 50;

/** One page of the nodes table, filtered by the API. */
export function useNodesPage(filters: NodeFilters, page: number) {
  const query = new URLSearchParams({ limit: String(NODES_PAGE_SIZE), page: String(page) });
  for (const [key, value] of Object.entries(filters)) if (value) query.set(key, value);
  return useQuery({
    queryKey: ['nodes', 'page', filters, page],
    queryFn: () => api<Page<NodeView>>(`/nodes?${query}`),
    refetchInterval: 5000,
    placeholderData: keepPreviousData,
  });
}

export function useCreateNode() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: NodeInput) => api<NodeView>('/nodes', { method: 'POST', body: input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['nodes'] }),
  });
}

export function useUpdateNode(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: NodeInput) => api<NodeView>(`/nodes/${id}`, { method: 'PATCH', body: input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['nodes'] }),
  });
}

export function useTestConnection() {
  return useMutation({
    mutationFn: (nodeId: number) => api<ConnectionTest>(`/nodes/${nodeId}/test-connection`, { method: 'POST' }),
  });
}

export const useNode = (id: number) =>
  useQuery({ queryKey: ['nodes', id], queryFn: () => api<NodeView>(`/nodes/${id}`), refetchInterval: 5000 });

/** The node's last checks for its chart, oldest first (the API answers newest first). */
export const useHealthHistory = (id: number) =>
  useQuery({
    queryKey: ['nodes', id, 'health'],
    queryFn: () => api<HealthCheckView[]>(`/nodes/${id}/health?limit=120`),
    refetchInterval: 10_000,
    select: (rows) =>
      rows
        .slice()
        .reverse()
        .map((row) => ({
          time: new Date(row.checkedAt).toLocaleTimeString(),
          responseTimeMs: row.responseTimeMs,
          ok: row.ok,
        })),
  });

/** Node actions; each refreshes what it changes. */
export function useNodeAction<T>(action: (id: number) => Promise<T>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: action,
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['nodes'] }),
        queryClient.invalidateQueries({ queryKey: ['jobs'] }),
      ]),
  });
}

export const checkNow = (id: number) => api<unknown>(`/nodes/${id}/check-health`, { method: 'POST' });
export const drainNode = (id: number) => api<DrainStarted>(`/nodes/${id}/drain`, { method: 'POST' });
export const deleteNode = (id: number) => api<JobStarted | undefined>(`/nodes/${id}`, { method: 'DELETE' });
export const setNodeStatus = (status: NodeView['status']) => (id: number) =>
  api<NodeView>(`/nodes/${id}`, { method: 'PATCH', body: { status } });

export const driftQueryOptions = (id: number) =>
  queryOptions({
    queryKey: ['nodes', id, 'drift'],
    queryFn: () => api<DriftView>(`/nodes/${id}/drift`),
    refetchInterval: 30_000,
  });
export const useDrift = (id: number) => useQuery(driftQueryOptions(id));
export const reconcileNode = (id: number) => api<DriftView>(`/nodes/${id}/reconcile`, { method: 'POST', body: {} });
