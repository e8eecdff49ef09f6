import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { NodeUsageView, TopUserView, UserUsageView } from '@fleet/contract';
import { IdParam } from '../../common/http/id-param';
import { Requires } from '../../common/http/roles.decorator';
import { TelegramId } from '../keys/keys.dto';
import { NodeUsageDto, TopUserDto, TopUsersQueryDto, UsagePassDto, UsageQueryDto, UserUsageDto } from './usage.dto';
import { UsagePassResult, UsagePassService } from './usage-pass.service';
import { UsageService } from './usage.service';
import { TopUsersService } from './top-users.service';

/** Traffic per user, node and fleet, from the usage ledger. */
@ApiTags('usage')
@ApiBearerAuth()
@Controller()
export class UsageController {
  constructor(
    private readonly usage: UsageService,
    private readonly pass: UsagePassService,
    private readonly top: TopUsersService,
  ) {}

  /** Reads and books every panel's counters now (admins; the scheduled pass does it every USAGE_INTERVAL_MS). */
  @Post('usage/collect')
  @Requires('nodes:write')
  @HttpCode(200)
  @ApiOkResponse({ type: UsagePassDto })
  collect(): Promise<UsagePassResult> {
    return this.pass.run(true);
  }

  @Get('keys/:telegramId/usage')
  @Requires('keys:read')
  @ApiOkResponse({ type: UserUsageDto })
  ofKey(@TelegramId() telegramId: number, @Query() query: UsageQueryDto): Promise<UserUsageView> {
    return this.usage.ofTelegramId(telegramId, query);
  }

  @Get('users/:id/usage')
  @Requires('users:read')
  @ApiOkResponse({ type: UserUsageDto })
  ofUser(@IdParam() id: number, @Query() query: UsageQueryDto): Promise<UserUsageView> {
    return this.usage.ofUserId(id, query);
  }

  @Get('nodes/:id/usage')
  @Requires('nodes:read')
  @ApiOkResponse({ type: NodeUsageDto })
  ofNode(@IdParam() id: number, @Query() query: UsageQueryDto): Promise<NodeUsageView> {
    return this.usage.ofNode(id, query);
  }

  @Get('stats/top-users')
  @Requires('users:read')
  @ApiOkResponse({ type: [TopUserDto] })
  topUsers(@Query() query: TopUsersQueryDto): Promise<TopUserView[]> {
    return this.top.top(query.hours ?? 24, query.limit ?? 10);
  }
}
