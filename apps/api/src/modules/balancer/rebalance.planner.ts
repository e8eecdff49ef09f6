import { groupBy } from '../../common/collections/group-by';

/** A node taking part in a rebalance: eligible for placement apart from being full. */
export interface PlanNode {
  id: number;
  users: number;
  maxUsers: number;
  priority: number;
  weight: number;
}

export interface PlannedMove {
  userId: number;
  fromNodeId: number;
  toNodeId: number;
}

/** `count` users to move from one node to another. */
export interface Flow {
  fromNodeId: number;
  toNodeId: number;
  count: number;
}

export interface RebalancePlan {
  targets: Map<number, number>;
  flows: Flow[];
  /** Moves needed without a cap: the sum of every node's surplus over its target, the least any plan can do. */
  minimumMoves: number;
}

/**
 * Each node's target: the users spread in proportion to priority × weight × maxUsers (where the placement score
 * converges), never above maxUsers, standby nodes (priority 0) only for what the others cannot hold.
 * Integer targets by largest remainder, so they add up to the number of users exactly.
 */
export function targetShares(nodes: readonly PlanNode[]): Map<number, number> {
  const total = nodes.reduce((sum, node) => sum + node.users, 0);
  const targets = new Map(nodes.map((node) => [node.id, 0]));
  let left = total;
  for (const tier of [nodes.filter((n) => n.priority > 0), nodes.filter((n) => n.priority <= 0)]) {
    left = fill(tier, left, targets, (node) => (node.priority > 0 ? node.priority * node.weight : node.weight));
    if (left === 0) break;
  }
  return targets;
}

/** Water-filling: share `amount` by weight, cap at maxUsers, hand the overflow to the uncapped; returns what is left. */
function fill(nodes: PlanNode[], amount: number, targets: Map<number, number>, importance: (n: PlanNode) => number) {
  let open = nodes.filter((node) => node.maxUsers > 0);
  let left = amount;
  while (left > 0 && open.length) {
    const weights = open.map((node) => importance(node) * node.maxUsers);
    const sum = weights.reduce((a, b) => a + b, 0);
    const exact = open.map((node, i) => (left * weights[i]) / sum);
    const room = open.map((node) => node.maxUsers - targets.get(node.id)!);
    const given = exact.map((value, i) => Math.min(Math.floor(value), room[i]));
    let rest = left - given.reduce((a, b) => a + b, 0);
    const byRemainder = open
      .map((node, i) => ({ i, remainder: exact[i] - Math.floor(exact[i]) }))
      .sort((a, b) => b.remainder - a.remainder || open[a.i].id - open[b.i].id);
    for (const { i } of byRemainder) {
      if (rest === 0) break;
      if (given[i] < room[i] && exact[i] > given[i]) {
        given[i]++;
        rest--;
      }
    }
    open.forEach((node, i) => targets.set(node.id, targets.get(node.id)! + given[i]));
    left -= given.reduce((a, b) => a + b, 0);
    const next = open.filter((node) => targets.get(node.id)! < node.maxUsers);
    if (next.length === open.length && given.every((g) => g === 0)) break; // nothing more fits by proportion
    open = next;
  }
  // Whatever rounding left over goes to the emptiest open nodes one by one.
  for (const node of [...nodes].sort((a, b) => targets.get(a.id)! / a.maxUsers - targets.get(b.id)! / b.maxUsers)) {
    while (left > 0 && targets.get(node.id)! < node.maxUsers) {
      targets.set(node.id, targets.get(node.id)! + 1);
      left--;
    }
  }
  return left;
}

/**
 * The flows from nodes above their target to nodes below it: exactly `minimumMoves` users in all (each surplus user
 * moves once, nobody else moves), at most `maxMoves`, a capped budget shared by the surplus nodes in proportion.
 * Works on counts only, so planning a million users costs no more than planning ten.
 */
export function planRebalance(nodes: readonly PlanNode[], maxMoves = Number.POSITIVE_INFINITY): RebalancePlan {
  const targets = targetShares(nodes);
  const surplus = nodes
    .map((node) => ({ id: node.id, count: node.users - targets.get(node.id)! }))
    .filter((entry) => entry.count > 0)
    .sort((a, b) => b.count - a.count || a.id - b.id);
  const deficit = nodes
    .map((node) => ({ id: node.id, count: targets.get(node.id)! - node.users }))
    .filter((entry) => entry.count > 0)
    .sort((a, b) => b.count - a.count || a.id - b.id);
  const minimumMoves = surplus.reduce((sum, entry) => sum + entry.count, 0);
  const budget = Math.min(minimumMoves, Math.max(0, Math.floor(maxMoves)));

  const takes = shareOut(
    budget,
    surplus.map((entry) => entry.count),
  );
  const flows: Flow[] = [];
  let d = 0;
  surplus.forEach((source, index) => {
    let left = takes[index];
    while (left > 0) {
      while (deficit[d].count === 0) d++;
      const count = Math.min(left, deficit[d].count);
      flows.push({ fromNodeId: source.id, toNodeId: deficit[d].id, count });
      deficit[d].count -= count;
      left -= count;
    }
  });
  return { targets, flows, minimumMoves };
}

/**
 * One plan per group, since a user's seat moves only within its node's group; a capped budget is shared by the
 * groups in proportion to what each needs.
 */
export function planRebalanceByGroup(
  nodes: ReadonlyArray<PlanNode & { groupId: number }>,
  maxMoves = Number.POSITIVE_INFINITY,
): RebalancePlan {
  const groups = groupBy(nodes, (node) => node.groupId);
  const uncapped = [...groups.values()].map((members) => planRebalance(members));
  const minimumMoves = uncapped.reduce((sum, plan) => sum + plan.minimumMoves, 0);
  const budget = Math.min(minimumMoves, Math.max(0, Math.floor(maxMoves)));
  const shares = shareOut(
    budget,
    uncapped.map((plan) => plan.minimumMoves),
  );
  const plans = [...groups.values()].map((members, i) =>
    shares[i] === uncapped[i].minimumMoves ? uncapped[i] : planRebalance(members, shares[i]),
  );
  return {
    targets: new Map(plans.flatMap((plan) => [...plan.targets])),
    flows: plans.flatMap((plan) => plan.flows),
    minimumMoves,
  };
}

/** `budget` (at most the sum of `counts`) shared in proportion to `counts`, each share at most its count. */
function shareOut(budget: number, counts: number[]): number[] {
  const total = counts.reduce((sum, count) => sum + count, 0);
  const shares = counts.map((count) => Math.floor((count * budget) / Math.max(1, total)));
  for (let i = 0, rest = budget - shares.reduce((a, b) => a + b, 0); rest > 0; i = (i + 1) % shares.length) {
    if (shares[i] < counts[i]) {
      shares[i]++;
      rest--;
    }
  }
  return shares;
}

/** The moves of one flow that fall in a window of the plan, and where their users start in the source's pick order. */
export interface FlowSlice {
  flow: Flow;
  skip: number;
  take: number;
}

/**
 * The plan's moves are its flows' moves in order, each source giving its users in one pick order: the slices of the
 * flows that fall in moves [start, end), so a page of moves needs only its own users.
 */
export function flowSlices(flows: readonly Flow[], start = 0, end = Number.POSITIVE_INFINITY): FlowSlice[] {
  const given = new Map<number, number>();
  const slices: FlowSlice[] = [];
  let at = 0;
  for (const flow of flows) {
    const before = given.get(flow.fromNodeId) ?? 0;
    const from = Math.max(start, at);
    const to = Math.min(end, at + flow.count);
    if (from < to) slices.push({ flow, skip: before + from - at, take: to - from });
    given.set(flow.fromNodeId, before + flow.count);
    at += flow.count;
  }
  return slices;
}

/** The moves of the slices, with the users each slice's source gives (`users[i]`: at most slice i's `take`). */
export function movesOf(slices: readonly FlowSlice[], users: ReadonlyArray<readonly number[]>): PlannedMove[] {
  return slices.flatMap(({ flow }, i) =>
    users[i].map((userId) => ({ userId, fromNodeId: flow.fromNodeId, toNodeId: flow.toNodeId })),
  );
}
