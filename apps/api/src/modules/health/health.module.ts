import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { NodesModule } from '../nodes/nodes.module';
import { PanelsModule } from '../panels/panels.module';
import { HealthController } from './health.controller';
import { HealthHistoryService } from './health-history.service';
import { HealthRepository } from './health.repository';
import { RecentHealthController } from './recent-health.controller';
import { HealthSweepService } from './health-sweep.service';
import { NodeCheckService } from './node-check.service';
import { NodeObserver } from './node-observer';
import { HealthRecorder } from './health-recorder';

/**
 * Scheduled and on-demand health checks and their history. A check observes a node, records what it saw and fires the
 * node's lifecycle (a fall, a return); what follows is the business of the modules that registered for it.
 */
@Module({
  imports: [NodesModule, PanelsModule, EventsModule],
  controllers: [HealthController, RecentHealthController],
  providers: [
    HealthRepository,
    NodeObserver,
    HealthRecorder,
    NodeCheckService,
    HealthSweepService,
    HealthHistoryService,
  ],
  exports: [NodeCheckService, HealthSweepService, HealthHistoryService],
})
export class HealthModule {}
