import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventEntity } from './event.entity';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';
import { WebhookOutboxService } from '../outbox/webhook-outbox.service';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([EventEntity])],
  controllers: [EventsController],
  providers: [EventsService, WebhookOutboxService],
  exports: [EventsService, WebhookOutboxService],
})
export class EventsModule {}
