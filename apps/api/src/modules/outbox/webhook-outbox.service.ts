import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import axios from 'axios';
import { createHmac, randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { EventType } from '@fleet/contract';
import { BackgroundLoop } from '../../common/background/background-loop';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { MetricsService } from '../metrics/metrics.service';
import { backoffSeconds, ClaimedMessage, OutboxBacklog, OutboxQueue } from './outbox-queue.service';

export type { OutboxBacklog };

/** Events announced to WEBHOOK_URL (each described in the API document's `webhooks`). */
export const WEBHOOK_EVENT_TYPES = [
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
  EventType.UserDeviceAdded,
  EventType.ReconcileCorrected,
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
export const WEBHOOK_EVENTS: ReadonlySet<string> = new Set(WEBHOOK_EVENT_TYPES);

/** Subjects claimed (and messages sent at once) per round. */
const BATCH = 20;

/**
 * Hex HMAC-SHA256 of `"<timestamp>.<body>"`: the timestamp (unix seconds, sent as X-Signature-Timestamp) is signed
 * with the body, so a receiver that refuses old timestamps also refuses replayed deliveries.
 */
export function signature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** An event as the webhook outbox takes it (an event input is one). */
export interface AnnouncedEvent {
  type: string;
  nodeId?: number | null;
  userId?: number | null;
  payload?: Record<string, unknown>;
}

/** Whose story an event tells: its user, else its node, else the fleet's. Each subject's webhooks go in order. */
export function webhookSubject(payload: Record<string, unknown>): string {
  if (typeof payload['userId'] === 'number') return `user:${payload['userId']}`;
  if (typeof payload['nodeId'] === 'number') return `node:${payload['nodeId']}`;
  return 'fleet';
}

/**
 * Transactional outbox for webhooks: a message is written with the change it announces and delivered afterwards,
 * at least once, signed, retried with exponential back-off. Messages of one subject (a user, a node) go out in
 * order: a subject's next message is sent only after the previous one was accepted, so while one is retried the
 * later ones wait and other subjects flow on. A replica claims a subject for a lease (a dead replica's claims run
 * out and another takes them over), so several replicas never send the same subject's messages at the same time.
 */
@Injectable()
export class WebhookOutboxService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookOutboxService.name);
  private readonly loop = new BackgroundLoop('webhook-outbox', () => this.deliverDue());
  private stopping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly outbox: OutboxQueue,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.webhookUrl) this.loop.start(this.scheduler, this.config.backgroundTickMs);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.loop.idle();
  }

  /** Queues the event in the caller's transaction when webhooks are configured and the type is announced. */
  async enqueue(manager: EntityManager, event: AnnouncedEvent): Promise<void> {
    await this.enqueueMany(manager, [event]);
  }

  /** The payload, with the event's node and user, is built only for events that go out. */
  async enqueueMany(manager: EntityManager, events: AnnouncedEvent[]): Promise<void> {
    if (!this.config.webhookUrl) return;
    const messages = events
      .filter((event) => WEBHOOK_EVENTS.has(event.type))
      .map(({ type, nodeId, userId, payload }) => ({
        type,
        payload: { ...(nodeId ? { nodeId } : {}), ...(userId ? { userId } : {}), ...payload },
      }));
    await this.outbox.enqueue(
      'webhook',
      messages.map((message) => ({ ...message, subject: webhookSubject(message.payload) })),
      manager,
    );
  }

  /** Sends due messages until none is left to send now; returns how many were delivered. */
  async deliverDue(): Promise<number> {
    let delivered = 0;
    while (!this.stopping) {
      const token = randomUUID();
      const claimed = await this.outbox.claimDue('webhook', {
        subjects: BATCH,
        perSubject: 1,
        leaseSeconds: this.leaseSeconds(),
        token,
      });
      if (!claimed.length) break;
      const outcomes = await Promise.all(claimed.map((message) => this.deliver(message, token)));
      delivered += outcomes.filter(Boolean).length;
    }
    return delivered;
  }

  backlog(): Promise<OutboxBacklog> {
    return this.outbox.backlog('webhook');
  }

  /** Long enough for a send (bounded by the timeout) and its bookkeeping; a dead replica's claims end with it. */
  private leaseSeconds(): number {
    return (2 * this.config.webhookTimeoutMs) / 1000 + 5;
  }

  private async deliver(message: ClaimedMessage, token: string): Promise<boolean> {
    const body = JSON.stringify({
      id: message.id,
      type: message.type,
      occurredAt: message.createdAt.toISOString(),
      subject: message.subject,
      sequence: message.sequence,
      data: message.payload,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    let failure: string | null = null;
    try {
      const response = await axios.post(this.config.webhookUrl!, body, {
        headers: {
          'Content-Type': 'application/json',
          'X-Event-Type': message.type,
          'X-Delivery-Id': message.id,
          'X-Signature-Timestamp': String(timestamp),
          'X-Signature': signature(this.config.webhookSecret!, timestamp, body),
        },
        timeout: this.config.webhookTimeoutMs,
        validateStatus: () => true,
        proxy: false,
      });
      if (response.status < 200 || response.status >= 300) failure = `HTTP ${response.status}`;
    } catch (error) {
      failure = (error as Error).message.slice(0, 300);
    }
    this.metrics.webhookDeliveries.inc({ type: message.type, result: failure ? 'failed' : 'delivered' });
    if (!failure) return this.outbox.delivered([message], token);
    const backoff = backoffSeconds(message.attempts);
    this.logger.warn(
      `webhook ${message.type} #${message.id} (${message.subject} #${message.sequence}) failed (${failure}); ` +
        `retry in ${backoff} s, later ${message.subject} webhooks wait`,
    );
    await this.outbox.failed([message], token, failure, backoff);
    return false;
  }
}
