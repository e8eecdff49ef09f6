import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { AssignmentsModule } from '../assignments/assignments.module';
import { NodesModule } from '../nodes/nodes.module';
import { PanelsModule } from '../panels/panels.module';
import { UsersModule } from '../users/users.module';
import { UsageLedgerModule } from './usage-ledger.module';
import { UsagePassService } from './usage-pass.service';
import { UsageController } from './usage.controller';
import { UsageHistoryRepository } from './usage-history.repository';
import { UsageService } from './usage.service';
import { TopUsersService } from './top-users.service';

/**
 * Collection of every panel's counters (the usage pass) and the usage routes, over what the ledger booked
 * (`UsageHistoryRepository`); the ledger's module keeps its own repository to itself.
 */
@Module({
  imports: [UsageLedgerModule, AccessModule, AssignmentsModule, NodesModule, PanelsModule, UsersModule],
  controllers: [UsageController],
  providers: [UsageHistoryRepository, UsagePassService, UsageService, TopUsersService],
  exports: [UsagePassService, UsageService],
})
export class UsageModule {}
