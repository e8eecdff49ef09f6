import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, NodeUsageView, Traffic, UserUsageView } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { NodesService } from '../nodes/nodes.service';
import { UsersService } from '../users/users.service';
import { VpnUser } from '../users/vpn-user.entity';
import { UsageQueryDto } from './usage.dto';
import { usageRange } from './usage-range';
import { UsageBucket, UsageHistoryRepository } from './usage-history.repository';

const sum = (buckets: UsageBucket[]): Traffic =>
  buckets.reduce((total, bucket) => ({ up: total.up + bucket.up, down: total.down + bucket.down }), { up: 0, down: 0 });

/** Reads of the usage ledger for the bot, the SPA and the dashboard. */
@Injectable()
export class UsageService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly usage: UsageHistoryRepository,
    private readonly users: UsersService,
    private readonly nodes: NodesService,
  ) {}

  async ofTelegramId(telegramId: number, query: UsageQueryDto): Promise<UserUsageView> {
    const user = await this.users.findByTelegramId(telegramId);
    if (!user || user.deletedAt) throw new DomainError(ErrorCode.UserNotFound, `no key for telegram id ${telegramId}`);
    return this.ofUser(user, query);
  }

  async ofUserId(userId: number, query: UsageQueryDto): Promise<UserUsageView> {
    const user = await this.users.findById(userId);
    if (!user || user.deletedAt) throw new DomainError(ErrorCode.UserNotFound, `user ${userId} not found`);
    return this.ofUser(user, query);
  }

  async ofNode(nodeId: number, query: UsageQueryDto): Promise<NodeUsageView> {
    const range = this.range(query);
    if (!(await this.nodes.findById(nodeId))) throw new DomainError(ErrorCode.NodeNotFound, `node ${nodeId} not found`);
    const buckets = await this.usage.nodeBuckets(nodeId, range.from, range.to, range.granularity, this.zone);
    return { total: sum(buckets), buckets };
  }

  fleetLast24h(): Promise<Traffic> {
    return this.usage.fleetTotal(new Date(Date.now() - 24 * 3_600_000));
  }

  private async ofUser(user: VpnUser, query: UsageQueryDto): Promise<UserUsageView> {
    const range = this.range(query);
    const buckets = await this.usage.userBuckets(user.id, range.from, range.to, range.granularity, this.zone);
    return {
      total: sum(buckets),
      period: {
        start: user.periodStart?.toISOString() ?? null,
        end: user.nextResetAt?.toISOString() ?? null,
        up: user.usedUpBytes,
        down: user.usedBytes - user.usedUpBytes,
      },
      buckets,
    };
  }

  private range(query: UsageQueryDto) {
    const range = usageRange(query, this.zone);
    if ('problems' in range) throw new DomainError(ErrorCode.ValidationFailed, range.problems);
    return range;
  }

  private get zone(): string {
    return this.config.accessTimezone;
  }
}
