import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { AssignmentsModule } from '../assignments/assignments.module';
import { GroupsModule } from '../groups/groups.module';
import { NodesModule } from '../nodes/nodes.module';
import { UsersModule } from '../users/users.module';
import { KeysController, KeysLookupController } from './keys.controller';
import { KeysService } from './keys.service';
import { SubscriptionRepository } from './subscription.repository';

@Module({
  imports: [AccessModule, AssignmentsModule, GroupsModule, NodesModule, UsersModule],
  controllers: [KeysController, KeysLookupController],
  providers: [KeysService, SubscriptionRepository],
  exports: [KeysService],
})
export class KeysModule {}
