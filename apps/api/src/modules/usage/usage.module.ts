import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { AssignmentsModule } from '../assignments/assignments.module';
import { NodesModule } from '../nodes/nodes.module';
import { PanelsModule } from '../panels/panels.module';
import { UsersModule } from '../users/users.module';
import { UsageLedgerModule } from './usage-ledger.module';
import { UsagePassService } from './usage-pass.service';
import { UsageController } from './usage.controller';
import { UsageRepository } from './usage.repository';
import { UsageService } from './usage.service';
import { TopUsersService } from './top-users.service';

/**
 * Collection of every panel's counters (the usage pass) and the usage routes. The ledger's module keeps its
 * repository to itself (it exports services only), so this one has its own for the buckets, totals and compaction.
 */
@Module({
  imports: [UsageLedgerModule, AccessModule, AssignmentsModule, NodesModule, PanelsModule, UsersModule],
  controllers: [UsageController],
  providers: [UsageRepository, UsagePassService, UsageService, TopUsersService],
  exports: [UsagePassService, UsageService],
})
export class UsageModule {}
