import { Module } from '@nestjs/common';
import { NodesModule } from '../nodes/nodes.module';
import { PanelsModule } from '../panels/panels.module';
import { UsageLedgerModule } from '../usage/usage-ledger.module';
import { UsersModule } from '../users/users.module';
import { AdoptionService } from './adoption.service';
import { AdoptionController, UserMigrationController } from './assignments.controller';
import { AssignmentsRepository } from './assignments.repository';
import { AssignmentsService } from './assignments.service';
import { MoveEngine } from './move-engine.service';
import { PlacementService } from './placement.service';
import { RecoveryService } from './recovery.service';
import { SeatWaitsRepository } from './seat-waits.repository';
import { SeatWaitsService } from './seat-waits.service';
import { TombstonesRepository } from './tombstones.repository';
import { TombstonesService } from './tombstones.service';
import { TombstonesServingGate } from './tombstones-serving-gate';
import { UserMigrationService } from './user-migration.service';

/** What other modules use: the services (the repositories stay inside). */
const SERVICES = [
  AssignmentsService,
  TombstonesService,
  MoveEngine,
  PlacementService,
  RecoveryService,
  SeatWaitsService,
  UserMigrationService,
];

/**
 * Which node serves each user: the one move engine (place, move, move many), recovery and tombstones; an admin's
 * move of one user, and adoption of a panel's clients as users of its node.
 */
@Module({
  imports: [NodesModule, PanelsModule, UsageLedgerModule, UsersModule],
  controllers: [UserMigrationController, AdoptionController],
  providers: [
    AssignmentsRepository,
    TombstonesRepository,
    SeatWaitsRepository,
    ...SERVICES,
    AdoptionService,
    TombstonesServingGate,
  ],
  exports: SERVICES,
})
export class AssignmentsModule {}
