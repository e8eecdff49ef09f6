import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { AssignmentsModule } from '../assignments/assignments.module';
import { EvacuationModule } from '../evacuation/evacuation.module';
import { JobsModule } from '../jobs/jobs.module';
import { NodesModule } from '../nodes/nodes.module';
import { PanelsModule } from '../panels/panels.module';
import { ReconcileModule } from '../reconcile/reconcile.module';
import { UsersModule } from '../users/users.module';
import { HealthController } from './health.controller';
import { HealthRepository } from './health.repository';
import { RecentHealthController } from './recent-health.controller';
import { HealthSweepService } from './health-sweep.service';
import { NodeCheckService } from './node-check.service';

/** Scheduled and on-demand health checks, their history, and the failover they trigger. */
@Module({
  imports: [
    AccessModule,
    NodesModule,
    PanelsModule,
    AssignmentsModule,
    JobsModule,
    EvacuationModule,
    ReconcileModule,
    UsersModule,
  ],
  controllers: [HealthController, RecentHealthController],
  providers: [HealthRepository, NodeCheckService, HealthSweepService],
  exports: [NodeCheckService, HealthSweepService],
})
export class HealthModule {}
