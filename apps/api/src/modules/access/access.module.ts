import { Module } from '@nestjs/common';
import { AssignmentsModule } from '../assignments/assignments.module';
import { GroupsModule } from '../groups/groups.module';
import { NodesModule } from '../nodes/nodes.module';
import { PanelsModule } from '../panels/panels.module';
import { UsageLedgerModule } from '../usage/usage-ledger.module';
import { UsersModule } from '../users/users.module';
import { UserAccessController } from './access.controller';
import { AccessPassService } from './access-pass.service';
import { AccessService } from './access.service';
import { AccessSyncService } from './access-sync.service';
import { IdempotencyRepository } from './idempotency.repository';
import { AccessServingGate } from './access-serving-gate';
import { UsersBulkController } from './users-bulk.controller';
import { UsersBulkService } from './users-bulk.service';

/** What users may use: plans and status (pure rule), changes, and their enforcement on panels. */
@Module({
  imports: [UsersModule, AssignmentsModule, GroupsModule, NodesModule, PanelsModule, UsageLedgerModule],
  controllers: [UserAccessController, UsersBulkController],
  providers: [
    AccessService,
    AccessSyncService,
    AccessPassService,
    IdempotencyRepository,
    AccessServingGate,
    UsersBulkService,
  ],
  exports: [AccessService, AccessSyncService, AccessPassService],
})
export class AccessModule {}
