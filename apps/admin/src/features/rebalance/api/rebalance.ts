import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { RebalancePlanView, RebalanceStarted } from '@fleet/contract';
import { api } from '../../../lib/api-client';

/** Moves a preview lists (the flows say where all of them go). */
export const MOVES_SHOWN = 200;

export const useRebalancePreview = () =>
  useMutation({
    mutationFn: (maxMoves?: number) =>
      api<RebalancePlanView>('/balancer/rebalance', {
        method: 'POST',
        body: { dryRun: true, maxMoves, movesLimit: MOVES_SHOWN },
      }),
  });

export function useRebalanceApply() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (maxMoves?: number) =>
      api<RebalanceStarted>('/balancer/rebalance', {
        method: 'POST',
        body: { dryRun: false, maxMoves },
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['jobs'] }),
  });
}

/** Before/after rows for the chart, with node names. */
export function beforeAfter(plan: RebalancePlanView, names: Map<number, string>) {
  const after = new Map(plan.after.map((row) => [row.nodeId, row.users]));
  return plan.before.map((row) => ({
    name: names.get(row.nodeId) ?? `#${row.nodeId}`,
    before: row.users,
    after: after.get(row.nodeId) ?? row.users,
  }));
}
