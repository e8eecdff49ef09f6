import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { NodeView } from '@fleet/contract';
import { api } from '../../../lib/api-client';

export interface ConnectionTest {
  ok: boolean;
  responseTimeMs: number;
  inbounds: Array<{ id: number; protocol: string; port: number; remark: string; enable: boolean }>;
  error?: string;
}

export type NodeInput = Partial<Omit<NodeView, 'id' | 'createdAt' | 'updatedAt'>> & { panelPassword?: string };

export const getNodes = () => api<NodeView[]>('/nodes');

export const nodesQueryOptions = () => queryOptions({ queryKey: ['nodes'], queryFn: getNodes, refetchInterval: 5000 });

export const useNodes = () => useQuery(nodesQueryOptions());

export function useCreateNode() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: NodeInput) => api<NodeView>('/nodes', { method: 'POST', body: input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['nodes'] }),
  });
}

export function useTestConnection() {
  return useMutation({
    mutationFn: (nodeId: number) => api<ConnectionTest>(`/nodes/${nodeId}/test-connection`, { method: 'POST' }),
  });
}
