import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OutboxModule } from '../outbox/outbox.module';
import { EventEntity } from './event.entity';
import { EventHooks } from './event-hooks';
import { EventsController } from './events.controller';
import { EventsRepository } from './events.repository';
import { EventsService } from './events.service';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([EventEntity]), OutboxModule],
  controllers: [EventsController],
  providers: [EventsService, EventsRepository, EventHooks],
  exports: [EventsService, EventHooks],
})
export class EventsModule {}
