import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { AssignmentsModule } from '../assignments/assignments.module';
import { DevicesModule } from '../devices/devices.module';
import { GroupsModule } from '../groups/groups.module';
import { NodesModule } from '../nodes/nodes.module';
import { UsersModule } from '../users/users.module';
import { KeyDevicesController } from './key-devices.controller';
import { UserKeysController } from './user-keys.controller';
import { KeysController, KeysLookupController } from './keys.controller';
import { KeysService } from './keys.service';
import { SubscriptionRepository } from './subscription.repository';

@Module({
  imports: [AccessModule, AssignmentsModule, DevicesModule, GroupsModule, NodesModule, UsersModule],
  controllers: [KeysController, KeysLookupController, KeyDevicesController, UserKeysController],
  providers: [KeysService, SubscriptionRepository],
  exports: [KeysService],
})
export class KeysModule {}
