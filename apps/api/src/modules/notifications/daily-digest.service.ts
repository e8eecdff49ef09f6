import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { BackgroundLoop } from '../../common/background/background-loop';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { NodesService } from '../nodes/nodes.service';
import { UsersService } from '../users/users.service';
import { AlertLatchesRepository } from './alert-latches.repository';
import { AlertOutbox } from './alert-outbox.service';
import { Alert } from './alerts';

const LATCH = 'digest';
/** The hour is looked at this often (the day's claim is made once per replica; later looks read no table). */
const CHECK_MS = 60_000;
/** Expiring users named in the digest (the rest are counted). */
const NAMED = 5;
/** A node this full (users / seats) is named in the digest. */
const BUSY_RATIO = 0.9;

/**
 * Once a day per fleet, at TELEGRAM_DIGEST_HOUR in ACCESS_TIMEZONE (or at the first look after it, when no replica
 * was up then): how many users' plans end within ACCESS_EXPIRY_WARNING_HOURS (the first few named) and which nodes
 * are 90 % full or more. The day is claimed in `alert_latches` in the transaction that queues the digest, so
 * replicas that look at once send one.
 */
@Injectable()
export class DailyDigest implements OnApplicationBootstrap {
  private readonly loop = new BackgroundLoop('telegram-digest', () => this.sendIfDue());
  /** The last day this process saw sent (by itself or another replica). */
  private doneDay: string | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scheduler: SchedulerRegistry,
    private readonly latches: AlertLatchesRepository,
    private readonly alerts: AlertOutbox,
    private readonly users: UsersService,
    private readonly nodes: NodesService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.alerts.sends('digest')) this.loop.start(this.scheduler, Math.max(CHECK_MS, this.config.backgroundTickMs));
  }

  /** Queues the day's digest when its hour has come and no replica did yet; true when this call queued it. */
  async sendIfDue(now = new Date()): Promise<boolean> {
    if (!this.alerts.sends('digest')) return false;
    const local = DateTime.fromJSDate(now, { zone: this.config.accessTimezone });
    const day = local.toFormat('yyyy-MM-dd');
    if (local.hour < this.config.telegramDigestHour || this.doneDay === day) return false;
    const sent = await this.dataSource.transaction(async (manager) => {
      if (!(await this.latches.advance(LATCH, day, manager))) return false;
      await this.alerts.enqueue([await this.digest(day)], manager);
      return true;
    });
    this.doneDay = day;
    return sent;
  }

  private async digest(day: string): Promise<Alert> {
    const hours = this.config.accessExpiryWarningHours;
    const [count, first, loads] = await Promise.all([
      this.users.countExpiringSoon(hours),
      this.users.soonestExpiring(hours, NAMED),
      this.nodes.loadFacts(),
    ]);
    return {
      type: 'digest',
      day,
      expiring: {
        hours,
        count,
        first: first.map((user) => user.username ?? (user.telegramId ? String(user.telegramId) : `user #${user.id}`)),
      },
      busyNodes: loads
        .filter((node) => node.maxUsers > 0 && node.currentUsers >= node.maxUsers * BUSY_RATIO)
        .sort((a, b) => b.currentUsers / b.maxUsers - a.currentUsers / a.maxUsers)
        .map((node) => ({ node: node.name, percent: Math.round((100 * node.currentUsers) / node.maxUsers) })),
    };
  }
}
