import type { NodeCandidate } from '../nodes/node-candidate';
import { ineligibleReason } from '../nodes/node-eligibility';

export interface PlacementRequest {
  location?: string | null;
  /** Nodes never to choose (the user's current node on a move, nodes that just failed). */
  exclude?: ReadonlySet<number>;
}

/** A placement strategy orders the eligible nodes, best first. Swap it without touching callers. */
export interface PlacementStrategy {
  readonly name: string;
  rank(nodes: readonly NodeCandidate[], request?: PlacementRequest): NodeCandidate[];
  /** The first of `rank`, found without ordering the rest (a batch of moves picks once per user). */
  best(nodes: readonly NodeCandidate[], request?: PlacementRequest): NodeCandidate | undefined;
}

/** `load_ratio / (priority/100 × weight)`; null for a standby node (priority 0), which has no finite score. */
export function score(node: Pick<NodeCandidate, 'currentUsers' | 'maxUsers' | 'priority' | 'weight'>): number | null {
  if (node.priority <= 0) return null;
  return node.currentUsers / node.maxUsers / ((node.priority / 100) * node.weight);
}

/**
 * The default policy: lowest score wins; ties go to the higher priority × weight, then fewer users, then the lower
 * id. Standby nodes (priority 0) come only when no eligible node has a priority above 0, ranked by load then id.
 * A location prefers eligible nodes there (case-insensitive) and falls back to every eligible node.
 *
 * Choosing the lowest score each time converges to equal scores, i.e. load ratios proportional to
 * priority × weight: users_i ∝ priority_i × weight_i × maxUsers_i (until a node is full).
 */
export const weightedLoadStrategy: PlacementStrategy = {
  name: 'weighted-load',
  rank(nodes, request = {}) {
    const pool = poolFor(nodes, request);
    const primary = pool.filter((node) => node.priority > 0).sort(byScore);
    return primary.length ? primary : pool.sort(byLoad);
  },
  best(nodes, request = {}) {
    const pool = poolFor(nodes, request);
    let best: NodeCandidate | undefined;
    for (const node of pool) if (node.priority > 0 && (!best || byScore(node, best) < 0)) best = node;
    if (best) return best;
    for (const node of pool) if (!best || byLoad(node, best) < 0) best = node;
    return best;
  },
};

/** The eligible nodes, those at the wanted location when there are any. */
function poolFor(nodes: readonly NodeCandidate[], request: PlacementRequest): NodeCandidate[] {
  const eligible = nodes.filter((node) => ineligibleReason(node) === null && !request.exclude?.has(node.id));
  const wanted = request.location?.toLowerCase();
  const local = wanted ? eligible.filter((node) => node.location?.toLowerCase() === wanted) : [];
  return local.length ? local : eligible;
}

function byScore(a: NodeCandidate, b: NodeCandidate): number {
  return (
    score(a)! - score(b)! ||
    b.priority * b.weight - a.priority * a.weight ||
    a.currentUsers - b.currentUsers ||
    a.id - b.id
  );
}

function byLoad(a: NodeCandidate, b: NodeCandidate): number {
  return a.currentUsers / a.maxUsers - b.currentUsers / b.maxUsers || a.id - b.id;
}
