import { groupBy } from '../../common/collections/group-by';
import { weightedLoadStrategy } from '../balancer/balancer.policy';
import type { NodeCandidate } from '../nodes/node-candidate';
import { ineligibleReason } from '../nodes/node-eligibility';
import type { Assignment } from './assignment.entity';
import type { MoveRequest, RefusalCode, ReserveOutcome } from './move.types';

/** A target chosen for a request; its seat is taken next, in SQL. */
export interface Pick {
  kind: 'pick';
  request: MoveRequest;
  nodeId: number;
  from: Assignment | null;
}

/**
 * The decisions of one reservation batch, pure: for each request, settled (nothing to do), refused, or a target.
 * Picks are made in order against `candidates`, whose counts each pick updates, so a batch never herds onto one node
 * and never plans past a node's capacity. A user twice in one batch is refused the second time.
 */
export function planBatch(
  requests: MoveRequest[],
  live: Assignment[],
  candidates: NodeCandidate[],
  knownUsers: ReadonlySet<number>,
  /** Users deleted meanwhile: nothing is reserved for them. */
  deletedUsers: ReadonlySet<number> = new Set(),
): Array<ReserveOutcome | Pick> {
  const seen = new Set<number>();
  const pools = poolsOf(candidates);
  const liveOf = groupBy(live, (row) => row.userId);
  return requests.map((request) => {
    if (seen.has(request.userId)) return refusal(request.userId, 'busy', 'the user is twice in one batch');
    seen.add(request.userId);
    if (deletedUsers.has(request.userId))
      return refusal(request.userId, 'user-gone', `user ${request.userId} was deleted`);
    return decide(request, liveOf.get(request.userId) ?? [], pools, knownUsers.has(request.userId));
  });
}

export function refusal(userId: number, code: RefusalCode, error: string): ReserveOutcome {
  return { kind: 'refused', userId, code, error };
}

/** The candidates a request may go to: a seat's own group, or the groups that take new users. */
interface Pools {
  /** The candidates in the group of this node (every candidate when the node is unknown). */
  groupOf(nodeId: number): NodeCandidate[];
  /** Where new users go: the groups marked for them, or every group when none is. */
  forNewUsers: NodeCandidate[];
}

function poolsOf(candidates: NodeCandidate[]): Pools {
  const byGroup = groupBy(candidates, (node) => node.groupId);
  const groupOfNode = new Map(candidates.map((node) => [node.id, node.groupId]));
  const marked = candidates.filter((node) => node.groupTakesNewUsers);
  return {
    groupOf: (nodeId) => byGroup.get(groupOfNode.get(nodeId)!) ?? candidates,
    forNewUsers: marked.length ? marked : candidates,
  };
}

/**
 * What to do with one request, given the user's own live rows and the candidates (whose counts it updates): a seat
 * moves within its node's group; a placement goes to the groups that take new users.
 */
function decide(request: MoveRequest, mine: Assignment[], pools: Pools, userExists: boolean): ReserveOutcome | Pick {
  const { userId } = request;
  if (!userExists) return refusal(userId, 'no-node', `user ${userId} not found`);
  const active = mine.find((row) => row.state === 'active') ?? null;
  if (mine.some((row) => row.state === 'pending')) {
    return refusal(userId, 'busy', 'a placement or move of this user is in progress');
  }
  if (request.kind === 'place' && active) return { kind: 'settled', userId, assignment: active };
  if (request.kind === 'move') {
    if (!active) return refusal(userId, 'no-node', `user ${userId} is not on any node`);
    if ((request.fromNodeId ?? active.nodeId) !== active.nodeId) return { kind: 'settled', userId, assignment: active };
    if (request.toNodeId === active.nodeId) {
      return request.fromNodeId === undefined || request.fromNodeId === null
        ? refusal(userId, 'same-node', `user ${userId} is already on node ${active.nodeId}`)
        : { kind: 'settled', userId, assignment: active };
    }
  }
  const pool = active ? pools.groupOf(active.nodeId) : pools.forNewUsers;
  let target: NodeCandidate | undefined;
  if (request.toNodeId) {
    target = pool.find((node) => node.id === request.toNodeId);
    if (!target && pools.groupOf(request.toNodeId).some((node) => node.id === request.toNodeId)) {
      return refusal(userId, 'target-ineligible', `node ${request.toNodeId} is in another group than the user's seat`);
    }
    if (!target) return refusal(userId, 'target-missing', `node ${request.toNodeId} not found`);
    const reason = ineligibleReason(target);
    if (reason) return refusal(userId, 'target-ineligible', `node ${target.id} cannot take users now (${reason})`);
  } else {
    const exclude = new Set([...(request.exclude ?? []), ...(active ? [active.nodeId] : [])]);
    [target] = weightedLoadStrategy.rank(pool, { exclude, location: request.location });
    if (!target) return refusal(userId, 'no-capacity', 'no healthy node with free capacity in the group');
  }
  target.currentUsers++; // the next pick in this batch sees the seat taken
  return { kind: 'pick', request, nodeId: target.id, from: active };
}
