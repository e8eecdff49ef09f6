import { Module } from '@nestjs/common';
import { AssignmentsModule } from '../assignments/assignments.module';
import { JobsModule } from '../jobs/jobs.module';
import { NodesModule } from '../nodes/nodes.module';
import { EvacuationController } from './evacuation.controller';
import { EvacuationService } from './evacuation.service';

/** Drain, delete-with-move and the start of a failover. */
@Module({
  imports: [AssignmentsModule, JobsModule, NodesModule],
  controllers: [EvacuationController],
  providers: [EvacuationService],
  exports: [EvacuationService],
})
export class EvacuationModule {}
