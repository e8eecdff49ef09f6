import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Assignment } from './assignment.entity';
import { ActiveUsersOptions, AssignmentsRepository } from './assignments.repository';

/** Which node serves each user, as other modules read it, and the access versions their clients carry. */
@Injectable()
export class AssignmentsService {
  constructor(private readonly assignments: AssignmentsRepository) {}

  /** Active and pending rows (seats) of many users. */
  liveOf(userIds: number[], manager?: EntityManager): Promise<Assignment[]> {
    return this.assignments.liveOf(userIds, manager);
  }

  /** Users on the node: active assignments and placements under way (what its counter counts). */
  countLive(nodeId: number, manager: EntityManager): Promise<number> {
    return this.assignments.countLive(nodeId, manager);
  }

  /**
   * Every active user of a node, oldest first (`servingOnly`: those who may use the service, for a failover;
   * `outsideGroup`: those whose seat there stands for another group).
   */
  activeUsersOf(nodeId: number, manager: EntityManager, options: ActiveUsersOptions = {}): Promise<number[]> {
    return this.assignments.activeUsersOf(nodeId, manager, options);
  }

  /** The node's seats take its group where their users' plans name it (and hold no seat there); answers how many. */
  followNode(nodeId: number, groupId: number, manager: EntityManager): Promise<number> {
    return this.assignments.followNode(nodeId, groupId, manager);
  }

  /** Whether a placement or move onto the node is under way. */
  pendingOn(nodeId: number, manager: EntityManager): Promise<boolean> {
    return this.assignments.pendingOn(nodeId, manager);
  }

  /** For a rebalance: per slice, `take` serving users of the node after the first `skip`, newest assignment first. */
  pickMovers(slices: ReadonlyArray<{ nodeId: number; skip: number; take: number }>): Promise<number[][]> {
    return this.assignments.pickMovers(slices);
  }

  /** Users on the node whose panel client is behind their access (a change still to write there). */
  behindOnAccess(nodeId: number, limit: number, after = 0): Promise<number[]> {
    return this.assignments.behindOnAccess(nodeId, limit, after);
  }

  /** Which of these emails (lower-cased) had an assignment on the node at any time: clients we made or adopted. */
  emailsEverOn(nodeId: number, emails: string[]): Promise<Set<string>> {
    return this.assignments.emailsEverOn(nodeId, emails);
  }

  /** These users' clients on the node must be rewritten (their counter went back: `totalGB` is stale). */
  markAccessStale(nodeId: number, userIds: number[]): Promise<void> {
    return this.assignments.markAccessStale(nodeId, userIds);
  }

  /** The client carries this access version now (never moves it back). */
  markAccessApplied(assignmentId: number, version: number): Promise<void> {
    return this.assignments.markAccessApplied(assignmentId, version);
  }
}
