import { Module } from '@nestjs/common';
import { AssignmentsModule } from '../assignments/assignments.module';
import { JobsModule } from '../jobs/jobs.module';
import { NodesModule } from '../nodes/nodes.module';
import { OutboxModule } from '../outbox/outbox.module';
import { UsageModule } from '../usage/usage.module';
import { UsersModule } from '../users/users.module';
import { FleetGauges } from './fleet-gauges';
import { MetricsController } from './metrics.controller';
import { StatsController } from './stats.controller';
import { StatsService } from './stats.service';

/** Fleet figures: the dashboard's overview, and `GET /metrics` with its gauges read from the database at scrape time. */
@Module({
  imports: [NodesModule, UsersModule, JobsModule, UsageModule, OutboxModule, AssignmentsModule],
  controllers: [StatsController, MetricsController],
  providers: [StatsService, FleetGauges],
})
export class StatsModule {}
