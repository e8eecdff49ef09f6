import { Injectable } from '@nestjs/common';
import { HealthRepository } from './health.repository';

/** The kept history of checks: read per node, and pruned past its retention. */
@Injectable()
export class HealthHistoryService {
  constructor(private readonly health: HealthRepository) {}

  /** A node's checks, newest first. */
  history(nodeId: number, since: Date | null, limit: number) {
    return this.health.history(nodeId, since, limit);
  }

  /** Deletes up to `limit` checks (and fleet sweeps) older than `retentionDays`; answers how many checks. */
  prune(retentionDays: number, limit: number): Promise<number> {
    return this.health.prune(retentionDays, limit);
  }
}
