import { forwardRef, Module } from '@nestjs/common';
import { AssignmentsModule } from '../assignments/assignments.module';
import { NodesModule } from '../nodes/nodes.module';
import { PanelsModule } from '../panels/panels.module';
import { AdoptionService } from './adoption.service';
import { NodeUsersController, UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/** VPN users: their store, their routes, and adoption of a panel's existing clients. */
@Module({
  imports: [forwardRef(() => AssignmentsModule), NodesModule, PanelsModule],
  controllers: [UsersController, NodeUsersController],
  providers: [UsersRepository, UsersService, AdoptionService],
  exports: [UsersRepository, UsersService],
})
export class UsersModule {}
