import type { PanelClient } from '@fleet/xui-client';
import type { EventInput } from '../events/events.service';
import type { NodeEntity } from '../nodes/node.entity';
import type { Assignment } from './assignment.entity';
import type { UserIdentity } from './panel-identity';

/** The words of the move protocol: what callers ask the engine, and what each of its steps answers. */

export type MoveReason = 'manual' | 'refresh' | 'rebalance' | 'failover' | 'node-delete' | 'drain' | 'recovery';

/** One user to place or move. */
export interface MoveRequest {
  /** `place`: a user without a node gets one; `move`: a user on a node goes to another. */
  kind: 'place' | 'move';
  userId: number;
  /** For a move: the node the user is expected on (a user already elsewhere counts as moved); null: wherever. */
  fromNodeId?: number | null;
  /** A fixed target; null or absent lets the balancer choose. */
  toNodeId?: number | null;
  location?: string | null;
  exclude?: ReadonlySet<number>;
  /** For a placement: an event recorded with the activation, in its transaction (e.g. `user.created`). */
  announce?: EventInput;
}

export type RefusalCode =
  | 'busy' // another placement or move of the user is under way
  | 'no-node' // a move of a user who is on no node
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
  user?: UserIdentity;
  reason: MoveReason | 'placement';
  actor: string;
  jobId?: number;
  /** For a placement: the event recorded with the activation (e.g. `user.created`). */
  announce?: EventInput;
}

/**
 * `switched`; `done-elsewhere`: recovery found the client and completed it meanwhile; `gone`: recovery rolled the
 * reservation back meanwhile (its client, created since, must leave the panel again).
 */
export type SwitchOutcome = 'switched' | 'done-elsewhere' | 'gone';

export type ReserveOutcome =
  | { kind: 'reserved'; reservation: Reservation }
  | { kind: 'settled'; userId: number; assignment: Assignment | null } // already placed / already where wanted
  | { kind: 'refused'; userId: number; code: RefusalCode; error: string };

export interface MoveOptions {
  reason: MoveReason | 'placement';
  actor: string;
  jobId?: number;
  /** Crash points to pass (tests only); named after the path that runs the engine. */
  crashPoints?: 'placement' | 'move' | 'bulk';
}

export interface MoveManyResult {
  /** Users that are now where they should be, with their active assignment. */
  done: Array<{ userId: number; assignment: Assignment | null; node?: NodeEntity; from?: Assignment }>;
  failed: Array<{ userId: number; code: RefusalCode; error: string }>;
}

export interface MoveResult {
  fromNodeId: number;
  toNodeId: number;
  assignment: Assignment;
  node: NodeEntity;
  /** False when the old client could not be deleted yet (panel unreachable): a tombstone keeps it due. */
  sourceCleaned: boolean;
}
