import { Module } from '@nestjs/common';
import { AssignmentsModule } from '../assignments/assignments.module';
import { BalancerModule } from '../balancer/balancer.module';
import { NodesModule } from '../nodes/nodes.module';
import { PanelsModule } from '../panels/panels.module';
import { AdoptionService } from './adoption.service';
import { JobRunnerService } from './job-runner.service';
import { JobsService } from './jobs.service';
import { BalancerController, JobsController, NodeOperationsController, UsersController } from './migrations.controller';
import { NodeRemovalService } from './node-removal.service';
import { UsersService } from './users.service';

/** Durable jobs that move users (rebalance, node deletion, later failover and drain) and the routes around them. */
@Module({
  imports: [AssignmentsModule, BalancerModule, NodesModule, PanelsModule],
  controllers: [BalancerController, JobsController, UsersController, NodeOperationsController],
  providers: [JobsService, JobRunnerService, NodeRemovalService, AdoptionService, UsersService],
  exports: [JobsService, JobRunnerService],
})
export class MigrationsModule {}
