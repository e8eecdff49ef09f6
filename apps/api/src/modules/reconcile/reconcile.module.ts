import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { AssignmentsModule } from '../assignments/assignments.module';
import { NodesModule } from '../nodes/nodes.module';
import { PanelsModule } from '../panels/panels.module';
import { UsageLedgerModule } from '../usage/usage-ledger.module';
import { UsersModule } from '../users/users.module';
import { ReconcilePassService } from './reconcile-pass.service';
import { ReconcileController } from './reconcile.controller';
import { ReconcileService } from './reconcile.service';
import { ReconcileRepository } from './reconcile.repository';
import { ReconcileServingGate } from './reconcile-serving-gate';

/** Every panel converges to the database: drift found, shown and repaired. */
@Module({
  imports: [AccessModule, AssignmentsModule, NodesModule, PanelsModule, UsageLedgerModule, UsersModule],
  controllers: [ReconcileController],
  providers: [ReconcileRepository, ReconcileService, ReconcilePassService, ReconcileServingGate],
  exports: [ReconcileService, ReconcilePassService],
})
export class ReconcileModule {}
