import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { AttentionView, EventType, StatsOverview } from '@fleet/contract';
import { SeatWaitsService } from '../assignments/seat-waits.service';
import { EventsService } from '../events/events.service';
import { JobsService } from '../jobs/jobs.service';
import { NodesService } from '../nodes/nodes.service';
import { UsageService } from '../usage/usage.service';
import { UsersService } from '../users/users.service';

/** Fleet-wide counts for the dashboard: one query per aggregate, run together. */
@Injectable()
export class StatsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly nodes: NodesService,
    private readonly users: UsersService,
    private readonly jobs: JobsService,
    private readonly events: EventsService,
    private readonly usage: UsageService,
    private readonly seatWaits: SeatWaitsService,
  ) {}

  async attention(): Promise<AttentionView> {
    const [nodes, nodesWithDrift, jobs, usersExpiringSoon, seatsWaiting] = await Promise.all([
      this.nodes.fleetCounts(),
      this.nodes.countDrifting(),
      this.jobs.troubles(),
      this.users.countExpiringSoon(this.config.accessExpiryWarningHours),
      this.seatWaits.count(),
    ]);
    const counts = {
      nodesDown: nodes.down,
      failoversStalled: jobs.failoversStalled,
      nodesWithDrift,
      jobsFailed: jobs.failedLast24h,
      usersExpiringSoon,
      seatsWaiting,
    };
    return { ...counts, total: Object.values(counts).reduce((sum, n) => sum + n, 0) };
  }

  async overview(): Promise<StatsOverview> {
    const [nodes, { users, access }, jobs, nodeDownLast24h, last24h, seatsWaiting] = await Promise.all([
      this.nodes.fleetCounts(),
      this.users.fleetCounts(this.config.accessExpiryWarningHours),
      this.jobs.backlog(),
      this.events.countSince(EventType.NodeDown, new Date(Date.now() - 24 * 3600_000)),
      this.usage.fleetLast24h(),
      this.seatWaits.count(),
    ]);
    return {
      nodes: {
        total: nodes.total,
        healthy: nodes.healthy,
        unhealthy: nodes.unhealthy,
        unknown: nodes.unknown,
        maintenance: nodes.maintenance,
        inactive: nodes.inactive,
      },
      users,
      access,
      capacity: { max: nodes.capacityMax, free: nodes.capacityFree },
      jobs,
      alerts: { nodeDownLast24h, seatsWaiting },
      usage: { last24h },
    };
  }
}
