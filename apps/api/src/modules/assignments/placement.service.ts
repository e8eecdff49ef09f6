import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ErrorCode } from '@fleet/contract';
import { PanelClient, PanelDuplicateEmailError, PanelError } from '@fleet/xui-client';
import { CrashPoints } from '../../common/background/crash-points';
import { LockKey } from '../../common/database/advisory-lock';
import { DomainError } from '../../common/errors/domain-error';
import { NodeCandidate, PlacementRequest, weightedLoadStrategy } from '../balancer/balancer.policy';
import { TombstonesService } from './tombstones.service';
import { MetricsService } from '../metrics/metrics.service';
import { NodeEntity } from '../nodes/node.entity';
import { NodesRepository } from '../nodes/nodes.repository';
import { PanelPoolService } from '../panels/panel-pool.service';
import { PanelWriterService } from '../panels/panel-writer.service';
import { Assignment } from './assignment.entity';
import { AssignmentsRepository } from './assignments.repository';
import { clientEmail, isUsersClient, panelClientFor, UserIdentity } from './panel-identity';

/** Nodes tried for one placement before giving up (each failure excludes that node). */
export const MAX_PLACEMENT_ATTEMPTS = 3;

export interface Reservation {
  assignment: Assignment;
  node: NodeEntity;
  client: PanelClient;
}

export function toCandidate(node: NodeEntity): NodeCandidate {
  return {
    id: node.id,
    location: node.location,
    status: node.status,
    healthStatus: node.healthStatus,
    currentUsers: node.currentUsers,
    maxUsers: node.maxUsers,
    priority: node.priority,
    weight: node.weight,
    inboundKnown: node.inboundId !== null && node.inboundSnapshot !== null,
  };
}

/**
 * Seats and panel clients. The order of work is crash-safe: reserve a seat and write a pending assignment (one
 * transaction) → create the client on the panel → activate. A crash in between leaves a pending row that
 * `PendingAssignmentsService` resolves against the panel.
 */
@Injectable()
export class PlacementService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly nodes: NodesRepository,
    private readonly assignments: AssignmentsRepository,
    private readonly tombstones: TombstonesService,
    private readonly writer: PanelWriterService,
    private readonly pool: PanelPoolService,
    private readonly crash: CrashPoints,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Reserves a seat for `user` on the best eligible node (or on `targetNodeId`) and writes a pending assignment.
   * Decisions are serialised by a short transaction-scoped advisory lock, so every placement sees the counts the
   * previous one left (no herding, never over capacity), on one replica or many.
   */
  async reserve(
    user: UserIdentity,
    request: PlacementRequest & { targetNodeId?: number; requireActive?: boolean },
  ): Promise<Reservation | { existing: Assignment }> {
    const reserved = await this.dataSource.transaction(
      async (manager): Promise<{ existing?: Assignment; assignment?: Assignment }> => {
        await manager.query('SELECT pg_advisory_xact_lock($1)', [LockKey.Placement]);
        const live = await this.assignments.live(user.id, manager);
        if (live.pending)
          throw new DomainError(ErrorCode.MoveInProgress, 'a placement or move of this user is in progress');
        if (live.active && !request.requireActive) return { existing: live.active };
        if (!live.active && request.requireActive)
          throw new DomainError(ErrorCode.UserNotFound, 'the user has no node');
        const nodeId = this.pickNode(await this.nodes.candidates(manager), request);
        const assignment = await this.assignments.takeSeat(manager, user.id, nodeId, clientEmail(user.id, nodeId));
        if (!assignment) throw new DomainError(ErrorCode.NodeNotEligible, `node ${nodeId} cannot take users now`);
        return { assignment };
      },
    );
    if (reserved.existing) return { existing: reserved.existing };
    const assignment = reserved.assignment!;
    const node = (await this.nodes.findById(assignment.nodeId))!;
    return { assignment, node, client: panelClientFor(user, node.id, node.inboundSnapshot!) };
  }

  /** Ranks the candidates (the seat itself is taken atomically by `takeSeat`, under the placement lock). */
  private pickNode(candidates: NodeCandidate[], request: PlacementRequest & { targetNodeId?: number }): number {
    if (request.targetNodeId !== undefined) {
      const target = candidates.find((node) => node.id === request.targetNodeId);
      if (!target) throw new DomainError(ErrorCode.NodeNotFound, `node ${request.targetNodeId} not found`);
      if (!weightedLoadStrategy.rank([target]).length) {
        throw new DomainError(ErrorCode.NodeNotEligible, `node ${target.id} cannot take users now`);
      }
      return target.id;
    }
    const [best] = weightedLoadStrategy.rank(candidates, request);
    if (!best) throw new DomainError(ErrorCode.NoCapacity, 'no healthy node with free capacity');
    return best.id;
  }

  /**
   * Creates the client on the panel (batched with other placements to the same panel). A duplicate email that
   * turns out to be this very client (same UUID or key) is a success: a retry after a crash is idempotent.
   */
  async createClient(reservation: Reservation): Promise<void> {
    const { node, client, assignment } = reservation;
    try {
      await this.writer.addClient(node, assignment.inboundId, client);
    } catch (error) {
      if (!(error instanceof PanelDuplicateEmailError)) throw error;
      const existing = await this.findClient(node, assignment.inboundId, client.email);
      if (!existing || !isUsersClient(existing, client)) throw error;
    }
  }

  async findClient(node: NodeEntity, inboundId: number, email: string): Promise<PanelClient | null> {
    const inbound = await this.pool.run(node, (panel) => panel.getInbound(inboundId));
    const clients = (JSON.parse(inbound.settings) as { clients?: PanelClient[] }).clients ?? [];
    return clients.find((candidate) => candidate.email.toLowerCase() === email.toLowerCase()) ?? null;
  }

  /** Gives the seat back and forgets the pending row (the panel never got, or lost, the client). */
  async rollback(assignment: Assignment, manager?: EntityManager): Promise<void> {
    const work = async (tx: EntityManager) => {
      if (await this.assignments.deletePending(assignment.id, tx))
        await this.nodes.releaseSeats(assignment.nodeId, 1, tx);
    };
    await (manager ? work(manager) : this.dataSource.transaction(work));
  }

  /** Places a user who has no node: reserve → create → activate, trying the next node when a panel fails. */
  async placeNew(
    user: UserIdentity,
    request: PlacementRequest,
  ): Promise<{ assignment: Assignment; node?: NodeEntity }> {
    const failed = new Set<number>(request.exclude ?? []);
    let lastError: unknown = null;
    for (let attempt = 0; attempt < MAX_PLACEMENT_ATTEMPTS; attempt++) {
      const reservation = await this.reserve(user, { ...request, exclude: failed });
      if ('existing' in reservation) return { assignment: reservation.existing };
      this.crash.reach('placement:reserved');
      try {
        await this.createClient(reservation);
      } catch (error) {
        if (!(error instanceof PanelError)) throw error;
        await this.rollback(reservation.assignment);
        failed.add(reservation.node.id);
        lastError = error;
        continue;
      }
      this.crash.reach('placement:client-created');
      const assignedAt = await this.assignments.activate(reservation.assignment.id, this.dataSource.manager);
      if (assignedAt) {
        this.metrics.placements.inc({ result: 'placed' });
        return { assignment: { ...reservation.assignment, state: 'active', assignedAt }, node: reservation.node };
      }
      // Recovery rolled the reservation back while the panel was slow: the client must go again.
      await this.tombstones.record(this.dataSource.manager, {
        nodeId: reservation.node.id,
        inboundId: reservation.assignment.inboundId,
        clientEmail: reservation.client.email,
        clientUuid: user.uuid,
        reason: 'abandoned',
      });
    }
    this.metrics.placements.inc({ result: 'failed' });
    throw new DomainError(
      ErrorCode.NoCapacity,
      `no healthy node with free capacity (last panel error: ${lastError instanceof Error ? lastError.message : 'none'})`,
    );
  }
}
