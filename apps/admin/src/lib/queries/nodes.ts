import {
  keepPreviousData,
  QueryClient,
  queryOptions,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type { NodeView } from '@fleet/contract';
import type { Schemas } from '@fleet/sdk';
import { call, fleet } from '../api-client';

const node = (id: number) => ({ params: { path: { id } } });

/** What the node form sends: the fields filled in (the API names those missing or wrong). */
export type NodeInput = Schemas['UpdateNodeDto'];

/** Every node, for pickers and names (refreshed each minute, conditionally: a fleet's list is rarely new). */
export const nodesQueryOptions = () =>
  queryOptions({
    queryKey: ['nodes'],
    queryFn: () => call(fleet.GET('/api/v1/nodes')),
    select: (page) => page.items,
    refetchInterval: 60_000,
  });

export const useNodes = () => useQuery(nodesQueryOptions());

/** A node added, changed or removed shows in the node lists and in its group's node count (and `also`). */
export function refreshAfterNodeChange(queryClient: QueryClient, also: string[][] = []): Promise<unknown> {
  return Promise.all([['nodes'], ['groups'], ...also].map((queryKey) => queryClient.invalidateQueries({ queryKey })));
}

export interface NodeFilters {
  status?: string;
  health?: string;
  location?: string;
  search?: string;
}

export const NODES_PAGE_SIZE = 50;

/** One page of the nodes table, filtered by the API. */
export function useNodesPage(filters: NodeFilters, page: number) {
  const chosen = Object.fromEntries(Object.entries(filters).filter(([, value]) => value));
  const query = { limit: NODES_PAGE_SIZE, page, ...chosen };
  return useQuery({
    queryKey: ['nodes', 'page', filters, page],
    queryFn: () => call(fleet.GET('/api/v1/nodes', { params: { query } })),
    refetchInterval: 5000,
    placeholderData: keepPreviousData,
  });
}

export function useCreateNode() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: NodeInput) => call(fleet.POST('/api/v1/nodes', { body: input as Schemas['CreateNodeDto'] })),
    onSuccess: () => refreshAfterNodeChange(queryClient),
  });
}

export function useUpdateNode(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: NodeInput) => call(fleet.PATCH('/api/v1/nodes/{id}', { ...node(id), body: input })),
    onSuccess: () => refreshAfterNodeChange(queryClient),
  });
}

/** Tries a panel not saved yet (the add-node wizard): signs in and lists its inbounds. */
export function useTestPanel() {
  return useMutation({
    mutationFn: (panel: Schemas['TestPanelDto']) => call(fleet.POST('/api/v1/nodes/test-connection', { body: panel })),
  });
}

export function useTestConnection() {
  return useMutation({
    mutationFn: (nodeId: number) => call(fleet.POST('/api/v1/nodes/{id}/test-connection', node(nodeId))),
  });
}

export const useNode = (id: number) =>
  useQuery({
    queryKey: ['nodes', id],
    queryFn: () => call(fleet.GET('/api/v1/nodes/{id}', node(id))),
    refetchInterval: 5000,
  });

/** The node's last checks for its charts (response time, CPU, memory), oldest first (the API answers newest first). */
export const useHealthHistory = (id: number) =>
  useQuery({
    queryKey: ['nodes', id, 'health'],
    queryFn: () => call(fleet.GET('/api/v1/nodes/{id}/health', { params: { path: { id }, query: { limit: 120 } } })),
    refetchInterval: 10_000,
    select: (rows) =>
      rows
        .slice()
        .reverse()
        .map((row) => ({
          time: new Date(row.checkedAt).toLocaleTimeString(),
          responseTimeMs: row.responseTimeMs,
          ok: row.ok,
          cpuPercent: row.cpuPercent,
          memoryPercent: row.memoryPercent,
        })),
  });

/** Node actions; each refreshes what it changes. */
export function useNodeAction<T>(action: (id: number) => Promise<T>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: action,
    onSuccess: () => refreshAfterNodeChange(queryClient, [['jobs']]),
  });
}

export const checkNow = (id: number) => call(fleet.POST('/api/v1/nodes/{id}/check-health', node(id)));
export const drainNode = (id: number) => call(fleet.POST('/api/v1/nodes/{id}/drain', node(id)));
export const deleteNode = (id: number) => call(fleet.DELETE('/api/v1/nodes/{id}', node(id)));
export const setNodeStatus = (status: NodeView['status']) => (id: number) =>
  call(fleet.PATCH('/api/v1/nodes/{id}', { ...node(id), body: { status } }));

export const driftQueryOptions = (id: number) =>
  queryOptions({
    queryKey: ['nodes', id, 'drift'],
    queryFn: () => call(fleet.GET('/api/v1/nodes/{id}/drift', node(id))),
    refetchInterval: 30_000,
  });
export const useDrift = (id: number) => useQuery(driftQueryOptions(id));
export const reconcileNode = (id: number) =>
  call(fleet.POST('/api/v1/nodes/{id}/reconcile', { ...node(id), body: {} }));
/** What a reconcile would change, changing nothing. */
export const previewReconcile = (id: number) =>
  call(fleet.POST('/api/v1/nodes/{id}/reconcile', { ...node(id), body: { dryRun: true } }));
