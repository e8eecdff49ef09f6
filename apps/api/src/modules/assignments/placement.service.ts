import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@fleet/contract';
import { CrashPoints } from '../../common/background/crash-points';
import { DomainError } from '../../common/errors/domain-error';
import type { EventInput } from '../events/events.service';
import { MetricsService } from '../metrics/metrics.service';
import { NodeEntity } from '../nodes/node.entity';
import { Assignment } from './assignment.entity';
import { MoveEngine } from './move-engine.service';
import { TombstonesRepository } from './tombstones.repository';
import type { UserIdentity } from './panel-identity';
import { DataSource } from 'typeorm';
import { InjectDataSource } from '@nestjs/typeorm';

/** Nodes tried for one placement before giving up (each failure excludes that node). */
export const MAX_PLACEMENT_ATTEMPTS = 3;

/**
 * Places users who have no node, through the move engine's steps. Concurrent placements coalesce: requests that
 * arrive while a reservation (or activation) transaction runs go together into the next one, and their clients
 * reach each panel in one call (the panel writer), so the database work per placement shrinks as load grows.
 */
@Injectable()
export class PlacementService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly engine: MoveEngine,
    private readonly tombstones: TombstonesRepository,
    private readonly crash: CrashPoints,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Reserve → create on the panel → activate, trying the next node when a panel fails. A user who already has a
   * node gets it back (`existing`). `announce` is recorded with the activation, in its transaction.
   */
  async place(
    user: UserIdentity,
    request: { location?: string | null; announce?: EventInput },
  ): Promise<{ assignment: Assignment; node?: NodeEntity; existing: boolean }> {
    const failed = new Set<number>();
    let lastError: unknown = null;
    for (let attempt = 0; attempt < MAX_PLACEMENT_ATTEMPTS; attempt++) {
      const [outcome] = await this.engine.reserve([
        { kind: 'place', userId: user.id, location: request.location, exclude: failed },
      ]);
      if (outcome.kind === 'settled') return { assignment: outcome.assignment!, existing: true };
      if (outcome.kind === 'refused') {
        if (outcome.code === 'busy') throw new DomainError(ErrorCode.MoveInProgress, outcome.error);
        break;
      }
      const { reservation } = outcome;
      this.crash.reach('placement:reserved');
      const [error] = await this.engine.createClients([reservation]);
      if (error) {
        await this.engine.rollback([reservation.pending]);
        failed.add(reservation.node.id);
        lastError = error;
        continue;
      }
      this.crash.reach('placement:client-created');
      const [switched] = await this.engine.switchOver([
        {
          pending: reservation.pending,
          from: null,
          user,
          reason: 'placement',
          actor: 'system:placement',
          announce: request.announce,
        },
      ]);
      if (switched) {
        return { assignment: reservation.pending, node: reservation.node, existing: false };
      }
      // Recovery rolled the reservation back while the panel was slow: the client must go again.
      await this.dataSource.transaction((manager) =>
        this.tombstones.record(
          [
            {
              nodeId: reservation.node.id,
              inboundId: reservation.pending.inboundId,
              clientEmail: reservation.client.email,
              clientUuid: user.uuid,
              reason: 'abandoned',
            },
          ],
          manager,
        ),
      );
    }
    this.metrics.placements.inc({ result: 'failed' });
    throw new DomainError(
      ErrorCode.NoCapacity,
      `no healthy node with free capacity${lastError instanceof Error ? ` (last panel error: ${lastError.message})` : ''}`,
    );
  }
}
