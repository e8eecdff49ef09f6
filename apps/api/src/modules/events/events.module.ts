import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventEntity } from './event.entity';
import { EventsController } from './events.controller';
import { EventsRepository } from './events.repository';
import { EventsService } from './events.service';
import { OutboxRepository } from '../outbox/outbox.repository';
import { WebhookOutboxService } from '../outbox/webhook-outbox.service';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([EventEntity])],
  controllers: [EventsController],
  providers: [EventsService, EventsRepository, WebhookOutboxService, OutboxRepository],
  exports: [EventsService, EventsRepository, WebhookOutboxService],
})
export class EventsModule {}
