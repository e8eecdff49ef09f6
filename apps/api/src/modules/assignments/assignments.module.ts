import { Module } from '@nestjs/common';
import { NodesModule } from '../nodes/nodes.module';
import { PanelsModule } from '../panels/panels.module';
import { AssignmentsRepository } from './assignments.repository';
import { BulkMoveService } from './bulk-move.service';
import { PendingAssignmentsService } from './pending-assignments.service';
import { PlacementService } from './placement.service';
import { TombstonesService } from './tombstones.service';
import { UserMoveService } from './user-move.service';

/** Users, their assignments, seats, panel clients and moves. */
@Module({
  imports: [NodesModule, PanelsModule],
  providers: [
    AssignmentsRepository,
    PlacementService,
    UserMoveService,
    BulkMoveService,
    TombstonesService,
    PendingAssignmentsService,
  ],
  exports: [
    AssignmentsRepository,
    PlacementService,
    UserMoveService,
    BulkMoveService,
    TombstonesService,
    PendingAssignmentsService,
  ],
})
export class AssignmentsModule {}
