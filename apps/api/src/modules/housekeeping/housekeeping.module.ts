import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { UsersModule } from '../users/users.module';
import { HousekeepingService } from './housekeeping.service';

/** The fleet's scheduled tidying: kept counts folded, old health history and events pruned. */
@Module({
  imports: [HealthModule, UsersModule],
  providers: [HousekeepingService],
  exports: [HousekeepingService],
})
export class HousekeepingModule {}
