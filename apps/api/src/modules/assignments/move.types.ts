import type { EntityManager } from 'typeorm';
import type { PanelClient } from '@fleet/xui-client';
import type { EventInput } from '../events/events.types';
import type { NodeEntity } from '../nodes/node.entity';
import type { Assignment } from './assignment.entity';
import type { UserIdentity } from './panel-identity';

/** The words of the move protocol: what callers ask the engine, and what each of its steps answers. */

export const MOVE_REASONS = [
  'manual',
  'refresh',
  'rebalance',
  'failover',
  'node-delete',
  'drain',
  'regroup', // the node moved to another group: seats of the old one go to its nodes
  'relocate', // the bot moved the user to another location
  'recovery',
] as const;
export type MoveReason = (typeof MOVE_REASONS)[number];

/**
 * One seat to place or move. A seat is a user's place in one group of their plan: a placement names the group; a
 * move names the node it leaves (`fromNodeId`), or the group, or a target whose group it is — or nothing, for a user
 * with one seat.
 */
export interface MoveRequest {
  /** `place`: a seat without a node gets one; `move`: a seat on a node goes to another node of its group. */
  kind: 'place' | 'move';
  userId: number;
  /** The seat's group: required for a placement. */
  groupId?: number;
  /** For a move: the node the seat is expected on (a seat already elsewhere counts as moved); null: wherever. */
  fromNodeId?: number | null;
  /** A fixed target; null or absent lets the balancer choose. */
  toNodeId?: number | null;
  location?: string | null;
  exclude?: ReadonlySet<number>;
  /** For a placement: an event recorded with the activation, in its transaction (e.g. `user.created`). */
  announce?: EventInput;
}

export type RefusalCode =
  | 'busy' // another placement or move of the seat is under way
  | 'no-node' // a move of a seat that is on no node
  | 'which-seat' // a move that names no seat, of a user with several
  | 'not-in-plan' // a placement in a group the user's plan does not name (it changed meanwhile)
  | 'user-gone' // the user was deleted (before the move, or while it ran: it was cancelled)
  | 'same-node'
  | 'target-missing'
  | 'target-ineligible'
  | 'no-capacity'
  | 'panel'; // the target panel refused or did not answer

/** A seat taken and a pending row written; the client is to be created on `node`. */
export interface Reservation {
  request: MoveRequest;
  user: UserIdentity;
  pending: Assignment;
  /** The assignment being replaced (null for a placement). */
  from: Assignment | null;
  node: NodeEntity;
  client: PanelClient;
}

/** A created client's switch-over, with what to record about it. */
export interface Switch extends Pick<Reservation, 'pending' | 'from'> {
  /** The request it completes (absent when recovery completes a row it found). */
  request?: MoveRequest;
  user?: UserIdentity;
  reason: MoveReason | 'placement';
  actor: string;
  jobId?: number;
  /** For a placement: the event recorded with the activation (e.g. `user.created`). */
  announce?: EventInput;
  onSwitched?: SwitchHook;
}

/**
 * Work a caller records in the switch transaction, with the users it switched there (a job marks their items done):
 * it commits with the switch or not at all. Called once per transaction for all the items that carry the same hook.
 */
export type SwitchHook = (requests: MoveRequest[], manager: EntityManager) => Promise<void>;

/**
 * `switched`; `done-elsewhere`: recovery found the client and completed it meanwhile; `gone`: recovery rolled the
 * reservation back meanwhile (its client, created since, must leave the panel again).
 */
export type SwitchOutcome = 'switched' | 'done-elsewhere' | 'gone';

export type ReserveOutcome =
  | { kind: 'reserved'; reservation: Reservation }
  | { kind: 'settled'; userId: number; assignment: Assignment | null } // already placed / already where wanted
  | Refusal;

export interface Refusal {
  kind: 'refused';
  userId: number;
  code: RefusalCode;
  error: string;
}

export interface MoveOptions {
  reason: MoveReason | 'placement';
  actor: string;
  jobId?: number;
  /** Crash points to pass (tests only); named after the path that runs the engine. */
  crashPoints?: 'placement' | 'move' | 'bulk';
  onSwitched?: SwitchHook;
}

export interface MoveManyResult {
  /**
   * Seats that are now where they should be, with their active assignment; `switched`: by this call's switch
   * transaction (its `onSwitched` hook ran with them). `request`: the one asked (with nodes excluded by retries).
   */
  done: Array<{
    request: MoveRequest;
    userId: number;
    assignment: Assignment | null;
    node?: NodeEntity;
    from?: Assignment;
    switched?: boolean;
  }>;
  failed: Array<{ request: MoveRequest; userId: number; code: RefusalCode; error: string }>;
}

export interface MoveResult {
  fromNodeId: number;
  toNodeId: number;
  assignment: Assignment;
  node: NodeEntity;
  /** False when the old client could not be deleted yet (panel unreachable): a tombstone keeps it due. */
  sourceCleaned: boolean;
}

/** Why a client leaves its node, recorded on its tombstone: the reason of the move that took its user away, or … */
export type LeaveReason =
  | MoveReason
  | 'deleted' // its user was deleted
  | 'abandoned' // it was made for a reservation that was rolled back
  | 'plan' // its group left the user's plan
  | 'reconcile'; // no user should have it there

/**
 * A client leaving its node. `assignment` is the row that holds its seat, in the state the caller found it: an active
 * row is released, a pending one (a placement or move under way) is cancelled, each only if it is still in that
 * state, so a seat comes back once however often the departure is released. Without it, no row holds the client
 * (a stray on the panel, or one made for a reservation rolled back meanwhile).
 */
export interface Departure {
  nodeId: number;
  inboundId: number;
  clientEmail: string;
  /** The user's client UUID, when known. */
  clientUuid: string | null;
  assignment?: Pick<Assignment, 'id' | 'state'>;
}

/** What a release did, and what it leaves to do once its transaction has committed. */
export interface Leaving {
  /** The departures that took effect: rows still where the caller found them, and every client no row holds. */
  departed: Departure[];
  /**
   * Carries their tombstones out now, node by node: last counters booked, then the clients deleted from their
   * panels. A panel that does not answer keeps its clients' tombstones for the tombstone loop, which also does all of
   * this when it is never called. Answers the emails removed.
   */
  carryOut(): Promise<Set<string>>;
}
