import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import type { EventInput } from '../events/events.types';
import { MetricsService } from '../metrics/metrics.service';
import { NodeEntity } from '../nodes/node.entity';
import { Assignment } from './assignment.entity';
import { MoveEngine } from './move-engine.service';

/** Nodes tried for one placement before giving up (each failure excludes that node). */
export const MAX_PLACEMENT_ATTEMPTS = 3;

/**
 * Places a user who has no node: the move engine's protocol for a batch of one. Concurrent placements still share
 * work: the engine reserves and activates the requests that arrive together in one transaction each, and the panel
 * writer sends their clients to each panel in one call, so the cost per placement shrinks as load grows.
 */
@Injectable()
export class PlacementService {
  constructor(
    private readonly engine: MoveEngine,
    private readonly metrics: MetricsService,
  ) {}

  /** A user who already has a node gets it back (`existing`). `announce` is recorded with the activation. */
  async place(
    userId: number,
    request: { location?: string | null; announce?: EventInput },
  ): Promise<{ assignment: Assignment; node?: NodeEntity; existing: boolean }> {
    const { done, failed } = await this.engine.moveMany(
      [{ kind: 'place', userId, location: request.location, announce: request.announce }],
      { reason: 'placement', actor: 'system:placement', attempts: MAX_PLACEMENT_ATTEMPTS, crashPoints: 'placement' },
    );
    if (done.length) {
      const [{ assignment, node }] = done;
      return { assignment: assignment!, node, existing: !node };
    }
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
