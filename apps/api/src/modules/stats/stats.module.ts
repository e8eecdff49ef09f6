import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { NodesModule } from '../nodes/nodes.module';
import { UsersModule } from '../users/users.module';
import { StatsController } from './stats.controller';
import { StatsService } from './stats.service';

@Module({ imports: [NodesModule, UsersModule, JobsModule], controllers: [StatsController], providers: [StatsService] })
export class StatsModule {}
