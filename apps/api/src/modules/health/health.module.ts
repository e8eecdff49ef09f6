import { Module } from '@nestjs/common';
import { AssignmentsModule } from '../assignments/assignments.module';
import { MigrationsModule } from '../migrations/migrations.module';
import { NodesModule } from '../nodes/nodes.module';
import { PanelsModule } from '../panels/panels.module';
import { HealthController } from './health.controller';
import { HealthSweepService } from './health-sweep.service';
import { NodeCheckService } from './node-check.service';

/** Scheduled and on-demand health checks, their history, and the failover they trigger. */
@Module({
  imports: [NodesModule, PanelsModule, AssignmentsModule, MigrationsModule],
  controllers: [HealthController],
  providers: [NodeCheckService, HealthSweepService],
  exports: [NodeCheckService, HealthSweepService],
})
export class HealthModule {}
