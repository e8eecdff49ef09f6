import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ErrorCode } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { EventsService } from '../events/events.service';
import type { EventInput } from '../events/events.types';
import { MetricsService } from '../metrics/metrics.service';
import { NodeEntity } from '../nodes/node.entity';
import { Assignment } from './assignment.entity';
import { AssignmentsRepository } from './assignments.repository';
import { departureOf, MoveEngine } from './move-engine.service';
import type { Leaving, MoveManyResult, RefusalCode } from './move.types';
import { SeatWait, SeatWaitsRepository } from './seat-waits.repository';

/** Nodes tried for one placement before giving up (each failure excludes that node). */
export const MAX_PLACEMENT_ATTEMPTS = 3;

/** A seat of the plan that could not be placed now. */
export interface UnplacedSeat {
  groupId: number;
  code: RefusalCode;
  error: string;
}

/**
 * Places the seats a user lacks, one per group of their plan: the move engine's protocol for a small batch.
 * Concurrent placements still share work: the engine reserves and activates the requests that arrive together in one
 * transaction each, and the panel writer sends their clients to each panel in one call, so the cost per placement
 * shrinks as load grows.
 */
@Injectable()
export class PlacementService {
  constructor(
    private readonly engine: MoveEngine,
    private readonly metrics: MetricsService,
    private readonly events: EventsService,
    private readonly waits: SeatWaitsRepository,
    private readonly assignments: AssignmentsRepository,
  ) {}

  /**
   * The user's seats follow their plan (just changed, in the caller's transaction, which holds the reservation lock
   * and the user's row): seats of groups the plan dropped leave their nodes — the one leave path, a move under way
   * there cancelled — and groups it added get waiting seats, placed once the transaction has committed
   * (`placeWaiting`) or by the retry loop. Answers the departures, to be carried out after the commit.
   */
  async followPlan(user: { id: number; uuid: string; planGroups: number[] }, manager: EntityManager): Promise<Leaving> {
    const live = await this.assignments.lockLiveOf([user.id], manager);
    const plan = new Set(user.planGroups);
    const leaving = await this.engine.release(
      live.filter((row) => !plan.has(row.groupId)).map((row) => departureOf(row, user.uuid)),
      'plan',
      manager,
    );
    await this.waits.keepOnly(user.id, user.planGroups, manager);
    const unseated = user.planGroups.filter((groupId) => !live.some((row) => row.groupId === groupId));
    await this.waits.add(
      unseated.map((groupId) => ({ userId: user.id, groupId })),
      manager,
    );
    return leaving;
  }

  /**
   * Tries to place waiting seats: placed ones (and those whose group left the plan, or whose user is gone) wait no
   * more; the others are tried again later, after a pause that grows with each try. Answers how many were placed.
   */
  async placeWaiting(waiting: SeatWait[]): Promise<number> {
    if (!waiting.length) return 0;
    const { done, failed } = await this.engine.moveMany(
      waiting.map(({ userId, groupId }) => ({ kind: 'place' as const, userId, groupId })),
      { reason: 'placement', actor: 'system:seat-waits', attempts: MAX_PLACEMENT_ATTEMPTS },
    );
    const seatOf = ({ request }: { request: { userId: number; groupId?: number } }) => ({
      userId: request.userId,
      groupId: request.groupId!,
    });
    const stillWaiting = failed.filter(({ code }) => WAITS_FOR_CAPACITY.has(code) || code === 'busy');
    const over = failed.filter((failure) => !stillWaiting.includes(failure));
    await this.waits.remove([...done, ...over].map(seatOf));
    await this.waits.failed(stillWaiting.map((failure) => ({ ...seatOf(failure), error: failure.error })));
    return done.filter((entry) => entry.switched).length;
  }

  /**
   * Places a seat in each of `groupIds` (seats already there are answered as they are, `existing`). A group without
   * room does not fail the others: its seat waits (`seat_waits`) and is tried again as capacity returns; only when no
   * seat at all could be had is it an error. `announce` is recorded once, with the first seat's activation.
   */
  async place(
    userId: number,
    groupIds: number[],
    request: { location?: string | null; announce?: EventInput },
  ): Promise<{ seats: PlacedSeat[]; unplaced: UnplacedSeat[] }> {
    const { done, failed } = await this.engine.moveMany(
      groupIds.map((groupId, i) => ({
        kind: 'place' as const,
        userId,
        groupId,
        location: request.location,
        announce: i === 0 ? request.announce : undefined,
      })),
      { reason: 'placement', actor: 'system:placement', attempts: MAX_PLACEMENT_ATTEMPTS, crashPoints: 'placement' },
    );
    const seats = done.map(({ assignment, node }) => ({ assignment: assignment!, node, existing: !node }));
    const unplaced = failed.map(({ request, code, error }) => ({ groupId: request.groupId!, code, error }));
    await this.waits.add(
      unplaced.filter(({ code }) => WAITS_FOR_CAPACITY.has(code)).map(({ groupId }) => ({ userId, groupId })),
    );
    if (seats.length && request.announce && announcedNone(done, groupIds[0])) {
      // The first group's seat (which carried it) was not placed: the event goes with the seats that were.
      await this.events.record(request.announce);
    }
    if (seats.length || !failed.length) return { seats, unplaced };
    const [{ code, error }] = failed;
    if (code === 'busy') throw new DomainError(ErrorCode.MoveInProgress, error);
    if (code === 'user-gone') throw new DomainError(ErrorCode.UserNotFound, error);
    this.metrics.placements.inc({ result: 'failed' });
    throw new DomainError(
      ErrorCode.NoCapacity,
      code === 'panel' ? `no healthy node with free capacity (last panel error: ${error})` : error,
    );
  }
}

/** Refusals that capacity returning can lift: the seat waits for it. */
export const WAITS_FOR_CAPACITY: ReadonlySet<RefusalCode> = new Set(['no-capacity', 'panel', 'target-ineligible']);

export interface PlacedSeat {
  assignment: Assignment;
  node?: NodeEntity;
  existing: boolean;
}

function announcedNone(done: MoveManyResult['done'], firstGroupId: number): boolean {
  return !done.some(({ request, switched }) => request.groupId === firstGroupId && switched);
}
