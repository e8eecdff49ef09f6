import { Module } from '@nestjs/common';
import { AssignmentsModule } from '../assignments/assignments.module';
import { NodesModule } from '../nodes/nodes.module';
import { BalancerService } from './balancer.service';

@Module({
  imports: [NodesModule, AssignmentsModule],
  providers: [BalancerService],
  exports: [BalancerService],
})
export class BalancerModule {}
