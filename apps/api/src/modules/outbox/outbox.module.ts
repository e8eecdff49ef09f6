import { Module } from '@nestjs/common';
import { OutboxRepository } from './outbox.repository';
import { WebhookOutboxService } from './webhook-outbox.service';

/** Webhooks: queued with the change they announce, delivered in order per subject. */
@Module({
  providers: [WebhookOutboxService, OutboxRepository],
  exports: [WebhookOutboxService],
})
export class OutboxModule {}
