import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GroupsModule } from '../groups/groups.module';
import { PanelsModule } from '../panels/panels.module';
import { NodeEntity } from './node.entity';
import { NodesController } from './nodes.controller';
import { NodesRepository } from './nodes.repository';
import { NodesSeederService } from './nodes-seeder.service';
import { NodesService } from './nodes.service';
import { NodeChanges } from './node-changes';
import { NodeDriftRepository } from './node-drift.repository';
import { NodeLifecycle } from './node-lifecycle';

@Module({
  imports: [TypeOrmModule.forFeature([NodeEntity]), PanelsModule, GroupsModule],
  controllers: [NodesController],
  providers: [NodesRepository, NodesService, NodesSeederService, NodeChanges, NodeDriftRepository, NodeLifecycle],
  exports: [NodesService, NodeChanges, NodeLifecycle],
})
export class NodesModule {}
