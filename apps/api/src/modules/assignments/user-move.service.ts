import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ErrorCode } from '@fleet/contract';
import { PanelError } from '@fleet/xui-client';
import { CrashPoints } from '../../common/background/crash-points';
import { DomainError } from '../../common/errors/domain-error';
import { EventsService } from '../events/events.service';
import { MetricsService } from '../metrics/metrics.service';
import { NodesRepository } from '../nodes/nodes.repository';
import { Assignment } from './assignment.entity';
import { migratedEvent } from './migration-event';
import { AssignmentsRepository } from './assignments.repository';
import { MAX_PLACEMENT_ATTEMPTS, PlacementService } from './placement.service';
import { Tombstone } from './tombstone.entity';
import { TombstonesService } from './tombstones.service';

export interface MoveOptions {
  /** A chosen node; otherwise the balancer picks the best eligible node other than the current one. */
  targetNodeId?: number;
  exclude?: ReadonlySet<number>;
  reason: 'manual' | 'refresh' | 'rebalance' | 'failover' | 'node-delete' | 'drain' | 'recovery';
  actor: string;
  jobId?: number;
  /** Delete the old client right away (default). Off when the source is known dead: its tombstone waits instead. */
  cleanSource?: boolean;
}

export interface MoveResult {
  fromNodeId: number;
  toNodeId: number;
  assignment: Assignment;
  /** False when the old client could not be deleted yet (panel unreachable): a tombstone keeps it due. */
  sourceCleaned: boolean;
}

/**
 * Moves one user, make-before-break: the client is created on the target (same UUID) before the assignment and
 * both counters switch in one transaction, which also writes the tombstone for the old client; the deletion from
 * the source is carried out right after, or later when the source is unreachable.
 */
@Injectable()
export class UserMoveService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly assignments: AssignmentsRepository,
    private readonly nodes: NodesRepository,
    private readonly placement: PlacementService,
    private readonly tombstones: TombstonesService,
    private readonly events: EventsService,
    private readonly crash: CrashPoints,
    private readonly metrics: MetricsService,
  ) {}

  async move(userId: number, options: MoveOptions): Promise<MoveResult> {
    const user = await this.assignments.findUserById(userId);
    if (!user) throw new DomainError(ErrorCode.UserNotFound, `user ${userId} not found`);
    const { active } = await this.assignments.live(userId);
    if (!active) throw new DomainError(ErrorCode.UserNotFound, `user ${userId} is not on any node`);
    if (options.targetNodeId === active.nodeId) {
      throw new DomainError(ErrorCode.NodeNotEligible, `user ${userId} is already on node ${active.nodeId}`);
    }
    const excluded = new Set([...(options.exclude ?? []), active.nodeId]);
    let lastError: unknown = null;
    for (let attempt = 0; attempt < MAX_PLACEMENT_ATTEMPTS; attempt++) {
      const reservation = await this.placement.reserve(user, {
        targetNodeId: options.targetNodeId,
        exclude: excluded,
        requireActive: true,
      });
      if ('existing' in reservation) throw new Error('unreachable: requireActive never returns an existing row');
      this.crash.reach('move:reserved');
      try {
        await this.placement.createClient(reservation);
      } catch (error) {
        if (!(error instanceof PanelError)) throw error;
        await this.placement.rollback(reservation.assignment);
        if (options.targetNodeId !== undefined) {
          throw new DomainError(ErrorCode.NodeUnreachable, `target panel failed: ${error.message}`);
        }
        excluded.add(reservation.node.id);
        lastError = error;
        continue;
      }
      this.crash.reach('move:client-created');
      const { from, tombstone } = await this.completeMove(reservation.assignment, options);
      this.crash.reach('move:switched');
      this.metrics.migrations.inc({ reason: options.reason });
      const sourceCleaned = options.cleanSource === false ? false : await this.tombstones.carryOut(tombstone);
      return {
        fromNodeId: from.nodeId,
        toNodeId: reservation.node.id,
        assignment: reservation.assignment,
        sourceCleaned,
      };
    }
    throw new DomainError(ErrorCode.NoCapacity, `no node could take the user (${(lastError as Error).message})`);
  }

  /**
   * The switch, in one transaction: old assignment released, the pending one active, the old node's seat given
   * back, a tombstone for the old client, a `user.migrated` event (and its webhook).
   */
  async completeMove(
    pending: Assignment,
    options: Pick<MoveOptions, 'reason' | 'actor' | 'jobId'>,
  ): Promise<{ from: Assignment; tombstone: Tombstone }> {
    return this.dataSource.transaction(async (manager) => {
      await this.assignments.lockUser(pending.userId, manager);
      const live = await this.assignments.live(pending.userId, manager);
      if (live.pending?.id !== pending.id || !live.active) {
        throw new DomainError(ErrorCode.MoveInProgress, `the move of user ${pending.userId} was resolved elsewhere`);
      }
      const from = live.active;
      await this.assignments.release(from.id, manager);
      await this.assignments.activate(pending.id, manager);
      await this.nodes.releaseSeats(from.nodeId, 1, manager);
      const user = await this.assignments.findUserById(pending.userId, manager);
      const tombstone = await this.tombstones.record(manager, {
        nodeId: from.nodeId,
        inboundId: from.inboundId,
        clientEmail: from.clientEmail,
        clientUuid: user?.uuid ?? null,
        reason: options.reason,
      });
      await this.events.record(
        migratedEvent(
          {
            userId: pending.userId,
            telegramId: user?.telegramId ?? null,
            fromNodeId: from.nodeId,
            toNodeId: pending.nodeId,
          },
          options,
        ),
        manager,
      );
      return { from, tombstone };
    });
  }
}
