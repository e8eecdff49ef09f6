import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { AssignmentsModule } from '../assignments/assignments.module';
import { NodesModule } from '../nodes/nodes.module';
import { UsersModule } from '../users/users.module';
import { KeysController } from './keys.controller';
import { KeysService } from './keys.service';
import { SubscriptionController } from './subscription.controller';
import { SubscriptionRepository } from './subscription.repository';

@Module({
  imports: [AccessModule, AssignmentsModule, NodesModule, UsersModule],
  controllers: [KeysController, SubscriptionController],
  providers: [KeysService, SubscriptionRepository],
})
export class KeysModule {}
