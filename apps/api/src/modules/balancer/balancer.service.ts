import { Injectable } from '@nestjs/common';
import { NodeLoadView, RebalancePlanView } from '@fleet/contract';
import { AssignmentsRepository } from '../assignments/assignments.repository';
import { eligibleApartFromSeats, ineligibleReason } from '../nodes/node-eligibility';
import { candidateOf, NodesRepository } from '../nodes/nodes.repository';
import { loadRatio } from '../nodes/node.mapper';
import { score } from './balancer.policy';
import { movesOf, planRebalance, PlanNode } from './rebalance.planner';

@Injectable()
export class BalancerService {
  constructor(
    private readonly nodes: NodesRepository,
    private readonly assignments: AssignmentsRepository,
  ) {}

  async loads(): Promise<NodeLoadView[]> {
    return (await this.nodes.listing({})).rows.map(({ node }) => {
      const reason = ineligibleReason(node);
      return {
        nodeId: node.id,
        name: node.name,
        location: node.location,
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
   * sources), with the fewest moves that reach every node's target share, at most `maxMoves`.
   */
  async plan(maxMoves?: number): Promise<RebalancePlanView> {
    const counts = await this.assignments.activeCounts();
    const participants: PlanNode[] = (await this.nodes.findAll())
      .filter((node) => eligibleApartFromSeats(candidateOf(node)))
      .map((node) => ({
        id: node.id,
        users: counts.get(node.id) ?? 0,
        maxUsers: node.maxUsers,
        priority: node.priority,
        weight: node.weight,
      }));
    const plan = planRebalance(participants, maxMoves);
    const giving = new Map<number, number>();
    for (const flow of plan.flows) giving.set(flow.fromNodeId, (giving.get(flow.fromNodeId) ?? 0) + flow.count);
    const usersByNode = new Map<number, number[]>();
    for (const [nodeId, count] of giving) usersByNode.set(nodeId, await this.assignments.activeUserIds(nodeId, count));
    const moves = movesOf(plan.flows, usersByNode);
    const after = new Map(participants.map((node) => [node.id, node.users]));
    for (const move of moves) {
      after.set(move.fromNodeId, after.get(move.fromNodeId)! - 1);
      after.set(move.toNodeId, after.get(move.toNodeId)! + 1);
    }
    return {
      moves,
      before: participants.map((node) => ({ nodeId: node.id, users: node.users })),
      after: [...after.entries()].map(([nodeId, users]) => ({ nodeId, users })),
      minimumMoves: plan.minimumMoves,
    };
  }
}
