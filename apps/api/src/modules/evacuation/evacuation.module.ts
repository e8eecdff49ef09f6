import { Module } from '@nestjs/common';
import { AssignmentsModule } from '../assignments/assignments.module';
import { JobsModule } from '../jobs/jobs.module';
import { NodesModule } from '../nodes/nodes.module';
import { EvacuationController } from './evacuation.controller';
import { EvacuationEndings } from './evacuation-endings';
import { EvacuationService } from './evacuation.service';

/** Drain, delete-with-move and failover: their start and their end. */
@Module({
  imports: [AssignmentsModule, JobsModule, NodesModule],
  controllers: [EvacuationController],
  providers: [EvacuationService, EvacuationEndings],
  exports: [EvacuationService],
})
export class EvacuationModule {}
