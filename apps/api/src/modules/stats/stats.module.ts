import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { NodesModule } from '../nodes/nodes.module';
import { UsageModule } from '../usage/usage.module';
import { UsersModule } from '../users/users.module';
import { StatsController } from './stats.controller';
import { StatsService } from './stats.service';

@Module({
  imports: [NodesModule, UsersModule, JobsModule, UsageModule],
  controllers: [StatsController],
  providers: [StatsService],
})
export class StatsModule {}
