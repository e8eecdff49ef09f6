import { Module } from '@nestjs/common';
import { AssignmentsModule } from '../assignments/assignments.module';
import { NodesModule } from '../nodes/nodes.module';
import { PanelsModule } from '../panels/panels.module';
import { HealthController } from './health.controller';
import { NodeCheckService } from './node-check.service';

@Module({
  imports: [NodesModule, PanelsModule, AssignmentsModule],
  controllers: [HealthController],
  providers: [NodeCheckService],
  exports: [NodeCheckService],
})
export class HealthModule {}
