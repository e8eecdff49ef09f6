import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import axios from 'axios';
import { createHmac } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { EventType } from '@fleet/contract';
import { BackgroundLoop } from '../../common/background/background-loop';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { OutboxMessage } from './outbox.entity';
import { OutboxRepository } from './outbox.repository';

/** Events announced to WEBHOOK_URL. */
export const WEBHOOK_EVENTS: ReadonlySet<string> = new Set([
  EventType.UserMigrated,
  EventType.NodeDown,
  EventType.NodeUp,
  EventType.FailoverCompleted,
  EventType.FailoverStalled,
  EventType.UserEnabled,
  EventType.UserDisabled,
  EventType.UserExpired,
  EventType.UserLimited,
  EventType.UserTrafficReset,
  EventType.UserExpiring,
  EventType.UserFirstConnected,
  EventType.UserRotated,
  EventType.UserDeleted,
  EventType.ReconcileCorrected,
]);

const BATCH = 50;
const MAX_BACKOFF_S = 3600;
const DELIVERY_TIMEOUT_MS = 5000;

/**
 * `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`: the timestamp (unix seconds, sent as X-Signature-Timestamp) is
 * signed with the body, so a receiver that refuses old timestamps also refuses replayed deliveries.
 */
export function signature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Transactional outbox for webhooks: a message is written with the change it announces and delivered afterwards,
 * at least once, signed (`X-Signature` over `X-Signature-Timestamp` and the body), retried with exponential back-off.
 * Rows are claimed with SKIP LOCKED, so several replicas never send the same message at the same time.
 */
@Injectable()
export class WebhookOutboxService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookOutboxService.name);
  private readonly loop = new BackgroundLoop('webhook-outbox', () => this.deliverDue());

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly outbox: OutboxRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.webhookUrl) this.loop.start(this.scheduler, this.config.backgroundTickMs);
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.idle();
  }

  /** Queues the event in the caller's transaction when webhooks are configured and the type is announced. */
  async enqueue(manager: EntityManager, type: string, payload: Record<string, unknown>): Promise<void> {
    await this.enqueueMany(manager, [{ type, payload }]);
  }

  async enqueueMany(manager: EntityManager, messages: Array<{ type: string; payload: Record<string, unknown> }>) {
    const announced = this.config.webhookUrl ? messages.filter((message) => WEBHOOK_EVENTS.has(message.type)) : [];
    await this.outbox.insert(announced, manager);
  }

  /** Sends every due message once; returns how many were delivered. */
  async deliverDue(): Promise<number> {
    let delivered = 0;
    for (;;) {
      const sent = await this.dataSource.transaction(async (manager) => {
        const due = await this.outbox.claimDue(BATCH, manager);
        for (const message of due) await this.deliver(message, manager);
        return due.length;
      });
      delivered += sent;
      if (sent < BATCH) return delivered;
    }
  }

  private async deliver(message: OutboxMessage, manager: EntityManager): Promise<void> {
    const body = JSON.stringify({
      id: message.id,
      type: message.type,
      occurredAt: message.createdAt.toISOString(),
      data: message.payload,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await axios.post(this.config.webhookUrl!, body, {
        headers: {
          'Content-Type': 'application/json',
          'X-Signature': signature(this.config.webhookSecret!, timestamp, body),
          'X-Signature-Timestamp': String(timestamp),
          'X-Event-Type': message.type,
          'X-Delivery-Id': message.id,
        },
        timeout: DELIVERY_TIMEOUT_MS,
        validateStatus: () => true,
        proxy: false,
      });
      if (response.status < 200 || response.status >= 300) throw new Error(`HTTP ${response.status}`);
      await this.outbox.delivered(message.id, manager);
    } catch (error) {
      const backoff = Math.min(MAX_BACKOFF_S, 2 ** Math.min(message.attempts, 12));
      const reason = (error as Error).message.slice(0, 300);
      this.logger.warn(`webhook ${message.type} #${message.id} failed (${reason}); retry in ${backoff} s`);
      await this.outbox.failed(message.id, reason, backoff, manager);
    }
  }
}
