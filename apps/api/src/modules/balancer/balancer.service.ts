import { Injectable } from '@nestjs/common';
import { NodeLoadView, RebalancePlanView } from '@fleet/contract';
import { AssignmentsService } from '../assignments/assignments.service';
import { eligibleApartFromSeats, ineligibleReason } from '../nodes/node-eligibility';
import { NodesService } from '../nodes/nodes.service';
import { loadRatio } from '../nodes/node.mapper';
import { score } from './balancer.policy';
import { flowSlices, movesOf, planRebalanceByGroup, PlanNode } from './rebalance.planner';

@Injectable()
export class BalancerService {
  constructor(
    private readonly nodes: NodesService,
    private readonly assignments: AssignmentsService,
  ) {}

  async loads(): Promise<NodeLoadView[]> {
    return (await this.nodes.loadFacts()).map((node) => {
      const reason = ineligibleReason(node);
      return {
        nodeId: node.id,
        name: node.name,
        location: node.location,
        groupId: node.groupId,
        currentUsers: node.currentUsers,
        maxUsers: node.maxUsers,
        loadRatio: loadRatio(node),
        priority: node.priority,
        weight: node.weight,
        score: score(node),
        eligible: reason === null,
        reason,
        healthStatus: node.healthStatus,
      };
    });
  }

  /**
   * The rebalance plan over the nodes that can serve (active, healthy, inbound known; full ones included as
   * sources), each group on its own, with the fewest moves that reach every node's target share, at most `maxMoves`; loads from the nodes'
   * counters. `moves` is the window of moves asked for (all by default), its users picked in one statement.
   */
  async plan(maxMoves?: number, window: { page: number; limit: number } | null = null): Promise<RebalancePlanView> {
    const participants: Array<PlanNode & { groupId: number }> = (await this.nodes.loadFacts())
      .filter((node) => eligibleApartFromSeats(node))
      .map((node) => ({
        id: node.id,
        users: node.currentUsers,
        maxUsers: node.maxUsers,
        priority: node.priority,
        weight: node.weight,
        groupId: node.groupId,
      }));
    const plan = planRebalanceByGroup(participants, maxMoves);
    const total = plan.flows.reduce((sum, flow) => sum + flow.count, 0);
    const slices = window
      ? flowSlices(plan.flows, (window.page - 1) * window.limit, window.page * window.limit)
      : flowSlices(plan.flows);
    const users = await this.assignments.pickMovers(
      slices.map(({ flow, skip, take }) => ({ nodeId: flow.fromNodeId, skip, take })),
    );
    const after = new Map(participants.map((node) => [node.id, node.users]));
    for (const flow of plan.flows) {
      after.set(flow.fromNodeId, after.get(flow.fromNodeId)! - flow.count);
      after.set(flow.toNodeId, after.get(flow.toNodeId)! + flow.count);
    }
    return {
      moves: movesOf(slices, users),
      movesTotal: total,
      flows: plan.flows,
      before: participants.map((node) => ({ nodeId: node.id, users: node.users })),
      after: [...after.entries()].map(([nodeId, users]) => ({ nodeId, users })),
      minimumMoves: plan.minimumMoves,
    };
  }
}
