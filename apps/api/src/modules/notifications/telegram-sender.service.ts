import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Api, GrammyError } from 'grammy';
import { randomUUID } from 'node:crypto';
import { Counter } from 'prom-client';
import { BackgroundLoop } from '../../common/background/background-loop';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { MetricsService } from '../metrics/metrics.service';
import { backoffSeconds, ClaimedMessage, OutboxQueue, runsBySubject } from '../outbox/outbox-queue.service';
import { chatOfSubject } from './alert-outbox.service';
import { alertMessage } from './alert-text';
import { alertOf } from './alerts';

/** Chats sent to per round, and rounds at most one a second: Telegram takes about 30 messages a second in all. */
const CHATS_PER_ROUND = 30;
/** Alerts of one chat grouped into one message at most (more go in the next one). */
const ALERTS_PER_MESSAGE = 200;
const REQUEST_TIMEOUT_S = 10;
/** Long enough for a send (bounded by the timeout) and its bookkeeping; a dead replica's claims end with it. */
const LEASE_S = 2 * REQUEST_TIMEOUT_S + 5;

/** Telegram's pace per chat: about one message a second, 20 a minute in a group (negative ids). */
export function pauseAfterSend(chatId: number): number {
  return chatId < 0 ? 3 : 1;
}

/**
 * Sends the queued alerts through the Bot API (grammY's `Api`, at TELEGRAM_API_ROOT when set): everything a chat has
 * waiting becomes one message; then the chat pauses (its pace, held in the database, so replicas share it). A 429 is
 * retried after Telegram's `retry_after`, other failures with back-off; the chat's later alerts wait meanwhile. A
 * message is sent at least once: only a crash between Telegram's answer and its bookkeeping sends it again.
 */
@Injectable()
export class TelegramSender implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TelegramSender.name);
  private readonly loop = new BackgroundLoop('telegram-alerts', () => this.deliverDue());
  private readonly api: Api | null;
  private readonly messages: Counter;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly queue: OutboxQueue,
    metrics: MetricsService,
  ) {
    this.api = config.telegramBotToken
      ? new Api(config.telegramBotToken, {
          apiRoot: config.telegramApiRoot?.replace(/\/+$/, '') || undefined,
          timeoutSeconds: REQUEST_TIMEOUT_S,
        })
      : null;
    this.messages = metrics.telegramMessages;
  }

  onApplicationBootstrap(): void {
    if (this.api) this.loop.start(this.scheduler, this.config.backgroundTickMs);
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.idle();
  }

  /** Sends what is due until nothing is; answers how many messages went. */
  async deliverDue(): Promise<number> {
    const api = this.api;
    if (!api) return 0;
    let sent = 0;
    while (!this.loop.stopping) {
      const started = Date.now();
      const token = randomUUID();
      const claimed = await this.queue.claimDue('telegram', {
        subjects: CHATS_PER_ROUND,
        perSubject: ALERTS_PER_MESSAGE,
        leaseSeconds: LEASE_S,
        token,
      });
      if (!claimed.length) break;
      const runs = runsBySubject(claimed);
      const outcomes = await Promise.all(runs.map((run) => this.send(api, run, token)));
      sent += outcomes.filter(Boolean).length;
      if (runs.length === CHATS_PER_ROUND) await this.loop.pause(1000 - (Date.now() - started));
    }
    return sent;
  }

  private async send(api: Api, run: ClaimedMessage[], token: string): Promise<boolean> {
    const chatId = chatOfSubject(run[0].subject);
    if (!this.config.telegramAdminChatIds.includes(chatId)) {
      // The chat was taken out of TELEGRAM_ADMIN_CHAT_IDS: what it had waiting is dropped.
      await this.queue.delivered(run, token);
      return false;
    }
    const text = alertMessage(run.map((message) => alertOf(message.type, message.payload)));
    try {
      await api.sendMessage(chatId, text, { parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
    } catch (error) {
      const retryAfter = error instanceof GrammyError ? error.parameters.retry_after : undefined;
      const wait = retryAfter ?? backoffSeconds(Math.max(...run.map((message) => message.attempts)));
      const why = this.describe(error);
      this.messages.inc({ result: retryAfter === undefined ? 'failed' : 'rate_limited' });
      this.logger.warn(`Telegram alert to chat ${chatId} failed (${why}); retry in ${wait} s`);
      await this.queue.failed(run, token, why, wait);
      return false;
    }
    this.messages.inc({ result: 'sent' });
    if (!(await this.queue.delivered(run, token, pauseAfterSend(chatId)))) {
      this.logger.warn(`Telegram alert to chat ${chatId} was sent after its claim ran out; it may be sent again`);
    }
    return true;
  }

  /** What went wrong, bounded and without the bot's token (grammY leaves it out; this makes sure). */
  private describe(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    const token = this.config.telegramBotToken;
    return (token ? text.split(token).join('<bot token>') : text).slice(0, 300);
  }
}
