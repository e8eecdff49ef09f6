import { Module } from '@nestjs/common';
import { OutboxQueue } from './outbox-queue.service';
import { OutboxRepository } from './outbox.repository';
import { WebhookOutboxService } from './webhook-outbox.service';

/**
 * Messages to the outside, queued with the change they announce and delivered in order per subject: webhooks here,
 * and the queue itself for other channels (Telegram alerts).
 */
@Module({
  providers: [WebhookOutboxService, OutboxRepository, OutboxQueue],
  exports: [WebhookOutboxService, OutboxQueue],
})
export class OutboxModule {}
