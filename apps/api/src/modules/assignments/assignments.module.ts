import { forwardRef, Module } from '@nestjs/common';
import { NodesModule } from '../nodes/nodes.module';
import { PanelsModule } from '../panels/panels.module';
import { UsageLedgerModule } from '../usage/usage-ledger.module';
import { UsersModule } from '../users/users.module';
import { AssignmentsRepository } from './assignments.repository';
import { MoveEngine } from './move-engine.service';
import { PlacementService } from './placement.service';
import { RecoveryService } from './recovery.service';
import { TombstonesRepository } from './tombstones.repository';
import { TombstonesService } from './tombstones.service';

const PROVIDERS = [
  AssignmentsRepository,
  TombstonesRepository,
  TombstonesService,
  MoveEngine,
  PlacementService,
  RecoveryService,
];

/** Which node serves each user: the one move engine (place, move, move many), recovery and tombstones. */
@Module({
  imports: [NodesModule, PanelsModule, UsageLedgerModule, forwardRef(() => UsersModule)],
  providers: PROVIDERS,
  exports: PROVIDERS,
})
export class AssignmentsModule {}
