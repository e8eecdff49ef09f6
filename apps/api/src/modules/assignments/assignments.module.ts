import { Module } from '@nestjs/common';
import { NodesModule } from '../nodes/nodes.module';
import { PanelsModule } from '../panels/panels.module';
import { AssignmentsRepository } from './assignments.repository';
import { BulkMoveService } from './bulk-move.service';
import { PendingAssignmentsService } from './pending-assignments.service';
import { PlacementService } from './placement.service';
import { TombstonesService } from './tombstones.service';
import { UserMoveService } from './user-move.service';

const SERVICES = [
  AssignmentsRepository,
  PlacementService,
  UserMoveService,
  BulkMoveService,
  TombstonesService,
  PendingAssignmentsService,
];

/** Users, their assignments, seats, panel clients and moves. */
@Module({
  imports: [NodesModule, PanelsModule],
  providers: SERVICES,
  exports: SERVICES,
})
export class AssignmentsModule {}
