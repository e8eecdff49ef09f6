import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { AppConfig, TelegramAlert } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { OutboxQueue } from '../outbox/outbox-queue.service';
import { Alert, ALERT_KIND } from './alerts';

/**
 * A chat's first alert waits this long for others, so what happens at once (several nodes falling in one sweep)
 * goes out as one message.
 */
export const GATHER_SECONDS = 2;

/** The outbox subject of a chat's alerts. */
export const chatSubject = (chatId: number) => `telegram:${chatId}`;
export const chatOfSubject = (subject: string) => Number(subject.slice('telegram:'.length));

/**
 * Queues alerts for every admin chat, in the caller's transaction (an alert commits, or not, with what caused it).
 * Nothing is queued without a bot and chats, nor for a kind TELEGRAM_ALERTS leaves out.
 */
@Injectable()
export class AlertOutbox {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queue: OutboxQueue,
  ) {}

  /** True when alerts of this kind are sent at all. */
  sends(kind: TelegramAlert): boolean {
    return this.config.telegramBotToken !== null && this.config.telegramAlerts.includes(kind);
  }

  async enqueue(alerts: Alert[], manager: EntityManager): Promise<void> {
    const sent = alerts.filter((alert) => this.sends(ALERT_KIND[alert.type]));
    if (!sent.length) return;
    await this.queue.enqueue(
      'telegram',
      this.config.telegramAdminChatIds.flatMap((chatId) =>
        sent.map(({ type, ...payload }) => ({ type, subject: chatSubject(chatId), payload })),
      ),
      manager,
      GATHER_SECONDS,
    );
  }
}
