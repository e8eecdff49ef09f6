import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BackgroundLoop } from '../../common/background/background-loop';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { WebhookOutboxService } from '../outbox/webhook-outbox.service';
import { AlertLatchesRepository } from './alert-latches.repository';
import { AlertOutbox } from './alert-outbox.service';

const LATCH = 'webhooks-failing';
/** Webhook delivery counts as failing once its oldest waiting webhook is this old. */
export const FAILING_AFTER_S = 600;
const CHECK_MS = 30_000;

/**
 * Tells the operators when webhook delivery has been failing for more than ten minutes (the oldest webhook not
 * delivered is older than that), once, and once more when it works again. Whether that was said is held in
 * `alert_latches` and changed in the transaction that queues the alert, so replicas watching at once say it once.
 */
@Injectable()
export class WebhookWatch implements OnApplicationBootstrap {
  private readonly loop = new BackgroundLoop('webhook-watch', () => this.check());

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scheduler: SchedulerRegistry,
    private readonly webhooks: WebhookOutboxService,
    private readonly latches: AlertLatchesRepository,
    private readonly alerts: AlertOutbox,
  ) {}

  onApplicationBootstrap(): void {
    if (this.watches()) this.loop.start(this.scheduler, Math.max(CHECK_MS, this.config.backgroundTickMs));
  }

  /** Looks at the webhook backlog; answers what this call said (`failing`, `recovered`) or null. */
  async check(): Promise<'failing' | 'recovered' | null> {
    if (!this.watches()) return null;
    const backlog = await this.webhooks.backlog();
    const failing = backlog.oldestAgeSeconds > FAILING_AFTER_S;
    return this.dataSource.transaction(async (manager) => {
      if (failing) {
        if (!(await this.latches.set(LATCH, manager))) return null;
        await this.alerts.enqueue(
          [
            {
              type: 'webhooks.failing',
              minutes: Math.floor(backlog.oldestAgeSeconds / 60),
              waiting: backlog.messages,
              lastError: backlog.oldestError,
            },
          ],
          manager,
        );
        return 'failing';
      }
      if (!(await this.latches.clear(LATCH, manager))) return null;
      await this.alerts.enqueue([{ type: 'webhooks.recovered' }], manager);
      return 'recovered';
    });
  }

  private watches(): boolean {
    return this.config.webhookUrl !== null && this.alerts.sends('webhook');
  }
}
