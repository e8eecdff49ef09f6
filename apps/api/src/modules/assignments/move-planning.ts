import { groupBy } from '../../common/collections/group-by';
import { weightedLoadStrategy } from '../balancer/balancer.policy';
import type { NodeCandidate } from '../nodes/node-candidate';
import { ineligibleReason } from '../nodes/node-eligibility';
import type { Assignment } from './assignment.entity';
import type { MoveRequest, RefusalCode, ReserveOutcome } from './move.types';

/** A target chosen for a request's seat; its seat is taken next, in SQL. */
export interface Pick {
  kind: 'pick';
  request: MoveRequest;
  nodeId: number;
  groupId: number;
  from: Assignment | null;
}

/** A user's seat in one group: its rows there. */
interface Seat {
  groupId: number;
  active: Assignment | null;
  pending: Assignment | null;
}

/**
 * The decisions of one reservation batch, pure: for each request, settled (nothing to do), refused, or a target.
 * Picks are made in order against `candidates`, whose counts each pick updates, so a batch never herds onto one node
 * and never plans past a node's capacity. A seat twice in one batch is refused the second time.
 */
export function planBatch(
  requests: MoveRequest[],
  live: Assignment[],
  candidates: NodeCandidate[],
  knownUsers: ReadonlySet<number>,
  /** Users deleted meanwhile: nothing is reserved for them. */
  deletedUsers: ReadonlySet<number> = new Set(),
  /** The users' plans as they are now: a placement outside its user's plan is refused. */
  plans?: ReadonlyMap<number, readonly number[]>,
): Array<ReserveOutcome | Pick> {
  const seen = new Set<string>();
  const groups = groupBy(candidates, (node) => node.groupId);
  const groupOfNode = new Map(candidates.map((node) => [node.id, node.groupId]));
  const liveOf = groupBy(live, (row) => row.userId);
  return requests.map((request) => {
    const { userId } = request;
    if (deletedUsers.has(userId)) return refusal(userId, 'user-gone', `user ${userId} was deleted`);
    if (!knownUsers.has(userId)) return refusal(userId, 'no-node', `user ${userId} not found`);
    const mine = liveOf.get(userId) ?? [];
    const seat = seatOf(request, mine, groupOfNode);
    if ('kind' in seat) return seat;
    if (request.kind === 'place' && plans && !plans.get(userId)?.includes(seat.groupId)) {
      return refusal(userId, 'not-in-plan', `group ${seat.groupId} is not in the plan of user ${userId}`);
    }
    const key = `${userId}/${seat.groupId}`;
    if (seen.has(key)) return refusal(userId, 'busy', 'the seat is twice in one batch');
    seen.add(key);
    return decide(request, seat, mine, groups.get(seat.groupId) ?? [], groupOfNode);
  });
}

export function refusal(userId: number, code: RefusalCode, error: string): ReserveOutcome {
  return { kind: 'refused', userId, code, error };
}

/** The seat a request is about, found among the user's live rows. */
function seatOf(request: MoveRequest, mine: Assignment[], groupOfNode: Map<number, number>): Seat | ReserveOutcome {
  const { userId } = request;
  let groupId = request.groupId;
  if (groupId === undefined && request.fromNodeId != null) {
    groupId = mine.find((row) => row.nodeId === request.fromNodeId)?.groupId ?? groupOfNode.get(request.fromNodeId);
  }
  if (groupId === undefined && request.toNodeId != null) {
    groupId = groupOfNode.get(request.toNodeId);
    if (groupId === undefined) return refusal(userId, 'target-missing', `node ${request.toNodeId} not found`);
    if (!mine.some((row) => row.groupId === groupId)) {
      return refusal(
        userId,
        'target-ineligible',
        `node ${request.toNodeId} is in another group than the user's servers`,
      );
    }
  }
  if (groupId === undefined) {
    const actives = mine.filter((row) => row.state === 'active');
    if (actives.length > 1) {
      return refusal(userId, 'which-seat', `user ${userId} has ${actives.length} servers: name the node or group`);
    }
    if (!actives.length) return refusal(userId, 'no-node', `user ${userId} is not on any node`);
    groupId = actives[0].groupId;
  }
  const rows = mine.filter((row) => row.groupId === groupId);
  return {
    groupId,
    active: rows.find((row) => row.state === 'active') ?? null,
    pending: rows.find((row) => row.state === 'pending') ?? null,
  };
}

/**
 * What to do with one seat, given the candidates of its group (whose counts it updates): a seat stays within its
 * group, and never shares a node with another seat of the user.
 */
function decide(
  request: MoveRequest,
  { groupId, active, pending }: Seat,
  mine: Assignment[],
  pool: NodeCandidate[],
  groupOfNode: Map<number, number>,
): ReserveOutcome | Pick {
  const { userId } = request;
  if (pending) return refusal(userId, 'busy', 'a placement or move of this seat is in progress');
  if (request.kind === 'place' && active) return { kind: 'settled', userId, assignment: active };
  if (request.kind === 'move') {
    // A job's seat released meanwhile (its group left the plan) needs no move.
    if (!active && request.fromNodeId != null) return { kind: 'settled', userId, assignment: null };
    if (!active) return refusal(userId, 'no-node', `user ${userId} is not on any node of group ${groupId}`);
    if ((request.fromNodeId ?? active.nodeId) !== active.nodeId) return { kind: 'settled', userId, assignment: active };
    if (request.toNodeId === active.nodeId) {
      return request.fromNodeId === undefined || request.fromNodeId === null
        ? refusal(userId, 'same-node', `user ${userId} is already on node ${active.nodeId}`)
        : { kind: 'settled', userId, assignment: active };
    }
  }
  const taken = new Set(mine.map((row) => row.nodeId));
  let target: NodeCandidate | undefined;
  if (request.toNodeId) {
    target = pool.find((node) => node.id === request.toNodeId);
    if (!target && groupOfNode.has(request.toNodeId)) {
      return refusal(userId, 'target-ineligible', `node ${request.toNodeId} is in another group than the user's seat`);
    }
    if (!target) return refusal(userId, 'target-missing', `node ${request.toNodeId} not found`);
    const reason = taken.has(target.id) ? 'another server of the user is there' : ineligibleReason(target);
    if (reason) return refusal(userId, 'target-ineligible', `node ${target.id} cannot take users now (${reason})`);
  } else {
    const exclude = new Set([...(request.exclude ?? []), ...taken]);
    target = weightedLoadStrategy.best(pool, { exclude, location: request.location });
    if (!target) return refusal(userId, 'no-capacity', 'no healthy node with free capacity in the group');
  }
  target.currentUsers++; // the next pick in this batch sees the seat taken
  return { kind: 'pick', request, nodeId: target.id, groupId, from: active };
}
