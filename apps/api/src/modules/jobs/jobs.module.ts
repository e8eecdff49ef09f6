import { Module } from '@nestjs/common';
import { AssignmentsModule } from '../assignments/assignments.module';
import { NodesModule } from '../nodes/nodes.module';
import { JobEndings } from './job-endings';
import { JobRunnerService } from './job-runner.service';
import { JobsController } from './jobs.controller';
import { JobsRepository } from './jobs.repository';
import { JobsService } from './jobs.service';

/** Durable jobs that move users (rebalance, failover, drain, node deletion): store, runner, routes. */
@Module({
  imports: [AssignmentsModule, NodesModule],
  controllers: [JobsController],
  providers: [JobsRepository, JobsService, JobRunnerService, JobEndings],
  exports: [JobsService, JobRunnerService, JobEndings],
})
export class JobsModule {}
