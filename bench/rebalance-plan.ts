/**
 * Rebalance planning for 1,000,000 users over 100 nodes with mixed capacity, priority and weight, starting from a
 * skewed fleet: plan time (targets and flows, then the per-user moves), and the number of moves against the
 * minimum (the total surplus over the targets). Run: npm run bench:rebalance-plan
 */
import { flowSlices, movesOf, planRebalance, PlanNode } from '../apps/api/src/modules/balancer/rebalance.planner';

const USERS = Number(process.env['BENCH_USERS'] ?? 1_000_000);
const NODE_COUNT = Number(process.env['BENCH_NODES'] ?? 100);

function fleet(): PlanNode[] {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const nodes: PlanNode[] = Array.from({ length: NODE_COUNT }, (_, i) => ({
    id: i + 1,
    users: 0,
    maxUsers: 10_000 + Math.floor(random() * 20_000),
    priority: i % 10 === 9 ? 0 : [50, 100, 150, 200][i % 4],
    weight: [0.5, 1, 1.5, 2][Math.floor(random() * 4)],
  }));
  // Skewed start: the first fifth of the nodes hold most users.
  let left = USERS;
  for (const node of nodes) {
    const take = Math.min(left, Math.floor(node.maxUsers * (node.id <= NODE_COUNT / 5 ? 0.95 : 0.2)));
    node.users = take;
    left -= take;
  }
  for (const node of nodes) {
    const take = Math.min(left, node.maxUsers - node.users);
    node.users += take;
    left -= take;
  }
  return nodes;
}

function main(): void {
  const nodes = fleet();
  const total = nodes.reduce((sum, node) => sum + node.users, 0);
  let next = 1;
  const usersByNode = new Map(nodes.map((node) => [node.id, Array.from({ length: node.users }, () => next++)]));

  const t0 = performance.now();
  const plan = planRebalance(nodes);
  const t1 = performance.now();
  const slices = flowSlices(plan.flows);
  const moves = movesOf(
    slices,
    slices.map(({ flow, skip, take }) => usersByNode.get(flow.fromNodeId)!.slice(skip, skip + take)),
  );
  const t2 = performance.now();
  const capped = planRebalance(nodes, 10_000);

  const after = new Map(nodes.map((node) => [node.id, node.users]));
  for (const move of moves) {
    after.set(move.fromNodeId, after.get(move.fromNodeId)! - 1);
    after.set(move.toNodeId, after.get(move.toNodeId)! + 1);
  }
  const reachesTargets = nodes.every((node) => after.get(node.id) === plan.targets.get(node.id));
  const overCapacity = nodes.filter((node) => after.get(node.id)! > node.maxUsers).length;
  console.log(
    JSON.stringify(
      {
        benchmark: 'rebalance-plan',
        users: total,
        nodes: nodes.length,
        planMs: +(t1 - t0).toFixed(2),
        expandMovesMs: +(t2 - t1).toFixed(2),
        moves: moves.length,
        minimumMoves: plan.minimumMoves,
        movesOverMinimum: moves.length - plan.minimumMoves,
        reachesTargets,
        overCapacityNodesAfter: overCapacity,
        cappedAt10000: { moves: capped.flows.reduce((sum, flow) => sum + flow.count, 0) },
      },
      null,
      2,
    ),
  );
}

main();
