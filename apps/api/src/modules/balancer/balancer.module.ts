import { Module } from '@nestjs/common';
import { AssignmentsModule } from '../assignments/assignments.module';
import { JobsModule } from '../jobs/jobs.module';
import { NodesModule } from '../nodes/nodes.module';
import { BalancerController } from './balancer.controller';
import { BalancerService } from './balancer.service';

/** Loads and rebalancing: the pure policy and planner, the plan over the fleet, and its routes. */
@Module({
  imports: [NodesModule, AssignmentsModule, JobsModule],
  controllers: [BalancerController],
  providers: [BalancerService],
  exports: [BalancerService],
})
export class BalancerModule {}
