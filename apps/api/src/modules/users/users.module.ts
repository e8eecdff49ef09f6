import { Module } from '@nestjs/common';
import { NodeUsersController, UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/** VPN users: their store and their routes (moving a user and adopting panel clients are the assignments'). */
@Module({
  controllers: [UsersController, NodeUsersController],
  providers: [UsersRepository, UsersService],
  exports: [UsersService],
})
export class UsersModule {}
