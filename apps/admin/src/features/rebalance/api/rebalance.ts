import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { RebalancePlanView } from '@fleet/contract';
import type { Schemas } from '@fleet/sdk';
import { call, fleet } from '../../../lib/api-client';

/** Moves a preview lists (the flows say where all of them go). */
export const MOVES_SHOWN = 200;

const rebalance = (body: Schemas['RebalanceDto']) => call(fleet.POST('/api/v1/balancer/rebalance', { body }));

/** The dry run's plan (the route answers a plan for a dry run, a job otherwise). */
export const useRebalancePreview = () =>
  useMutation({
    mutationFn: async (maxMoves?: number) => {
      const answer = await rebalance({ dryRun: true, maxMoves, movesLimit: MOVES_SHOWN });
      if ('jobId' in answer) throw new Error('a dry run answered a job');
      return answer;
    },
  });

export function useRebalanceApply(onApplied?: () => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (maxMoves?: number) => {
      const answer = await rebalance({ dryRun: false, maxMoves });
      if (!('jobId' in answer)) throw new Error('a rebalance answered a plan, not a job');
      return answer;
    },
    onSuccess: () => {
      onApplied?.();
      return queryClient.invalidateQueries({ queryKey: ['jobs'] });
    },
  });
}

/** Before/after rows for the chart: each node's load as a share of its capacity, and its users. */
export function beforeAfter(plan: RebalancePlanView, nodes: Map<number, { name: string; maxUsers: number }>) {
  const after = new Map(plan.after.map((row) => [row.nodeId, row.users]));
  return plan.before.map((row) => {
    const node = nodes.get(row.nodeId);
    const share = (users: number) => (node?.maxUsers ? Math.round((users / node.maxUsers) * 100) : 0);
    const usersAfter = after.get(row.nodeId) ?? row.users;
    return {
      name: node?.name ?? `#${row.nodeId}`,
      before: share(row.users),
      after: share(usersAfter),
      usersBefore: row.users,
      usersAfter,
    };
  });
}
