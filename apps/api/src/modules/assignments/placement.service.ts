import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { EventsService } from '../events/events.service';
import type { EventInput } from '../events/events.types';
import { MetricsService } from '../metrics/metrics.service';
import { NodeEntity } from '../nodes/node.entity';
import { Assignment } from './assignment.entity';
import { MoveEngine } from './move-engine.service';
import type { MoveManyResult, RefusalCode } from './move.types';

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
  ) {}

  /**
   * Places a seat in each of `groupIds` (seats already there are answered as they are, `existing`). A group without
   * room does not fail the others; only when no seat at all could be had is it an error. `announce` is recorded once,
   * with the first seat's activation.
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

export interface PlacedSeat {
  assignment: Assignment;
  node?: NodeEntity;
  existing: boolean;
}

function announcedNone(done: MoveManyResult['done'], firstGroupId: number): boolean {
  return !done.some(({ request, switched }) => request.groupId === firstGroupId && switched);
}
