import { Module } from '@nestjs/common';
import { NodesModule } from '../nodes/nodes.module';
import { OutboxModule } from '../outbox/outbox.module';
import { UsersModule } from '../users/users.module';
import { AlertLatchesRepository } from './alert-latches.repository';
import { AlertOutbox } from './alert-outbox.service';
import { DailyDigest } from './daily-digest.service';
import { EventAlerts } from './event-alerts.service';
import { TelegramSender } from './telegram-sender.service';
import { WebhookWatch } from './webhook-watch.service';

/** Telegram alerts to the operators, queued in the outbox with what caused them and sent in the background. */
@Module({
  imports: [OutboxModule, NodesModule, UsersModule],
  providers: [AlertOutbox, AlertLatchesRepository, EventAlerts, TelegramSender, DailyDigest, WebhookWatch],
})
export class NotificationsModule {}
