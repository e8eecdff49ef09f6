import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ErrorCode, KeyNodeView, KeyView, Page } from '@fleet/contract';
import { Requires } from '../../common/http/roles.decorator';
import {
  GetOrCreateKeyDto,
  KeyLookupQueryDto,
  KeyNodeViewDto,
  KeyPageDto,
  KeyViewDto,
  RelocateDto,
  TelegramId,
} from './keys.dto';
import { KeysService } from './keys.service';
import { AccessPatchDto, ExtendDto, RotateDto } from '../access/access.dto';
import { IdempotencyKey, IdempotentRequest, markReplayed } from '../../common/http/idempotency-key';
import { ApiErrors, MOVE_REFUSALS } from '../../common/http/openapi';

@ApiTags('keys')
@ApiBearerAuth()
@Controller('keys/:telegramId')
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  @Put()
  @Requires('keys:write')
  @ApiOkResponse({ type: KeyViewDto, description: 'the existing user’s key' })
  @ApiCreatedResponse({ type: KeyViewDto, description: 'a new user, created with the plan given, and their key' })
  @ApiErrors(ErrorCode.NoCapacity, ErrorCode.MoveInProgress)
  async getOrCreate(
    @TelegramId() telegramId: number,
    @Body() body: GetOrCreateKeyDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<KeyView> {
    const { key, created, planApplied } = await this.keys.getOrCreate(telegramId, body);
    response.status(created ? 201 : 200);
    return body.plan ? { ...key, planApplied } : key;
  }

  @Get()
  @Requires('keys:read')
  @ApiOkResponse({ type: KeyViewDto })
  get(@TelegramId() telegramId: number): Promise<KeyView> {
    return this.keys.get(telegramId);
  }

  @Post('refresh')
  @Requires('keys:write')
  @HttpCode(200)
  @ApiOkResponse({ type: KeyViewDto })
  @ApiErrors(...MOVE_REFUSALS)
  refresh(@TelegramId() telegramId: number): Promise<KeyView> {
    return this.keys.refresh(telegramId);
  }

  /**
   * Moves a server of the user to a node in `location` (within its group): `409` when no node there can take them
   * now, the key as it is when they are there already.
   */
  @Post('relocate')
  @Requires('keys:write')
  @HttpCode(200)
  @ApiOkResponse({ type: KeyViewDto })
  @ApiErrors(...MOVE_REFUSALS)
  relocate(@TelegramId() telegramId: number, @Body() body: RelocateDto): Promise<KeyView> {
    return this.keys.relocate(telegramId, body);
  }

  /** Any subset of the plan (expiry, hold, traffic limit and reset, devices, the switch, a note). */
  @Patch('access')
  @Requires('keys:write')
  @ApiOkResponse({ type: KeyViewDto })
  updateAccess(@TelegramId() telegramId: number, @Body() body: AccessPatchDto): Promise<KeyView> {
    return this.keys.updateAccess(telegramId, body);
  }

  /** Adds days to the plan; the same request with the same Idempotency-Key within 24 h extends once. */
  @Post('extend')
  @Requires('keys:write')
  @HttpCode(200)
  @ApiOkResponse({ type: KeyViewDto })
  async extend(
    @TelegramId() telegramId: number,
    @Body() body: ExtendDto,
    @IdempotencyKey() idempotent: IdempotentRequest | null,
    @Res({ passthrough: true }) response: Response,
  ): Promise<KeyView> {
    const { key, replayed } = await this.keys.extend(telegramId, body.days, idempotent);
    markReplayed(response, replayed);
    return key;
  }

  @Post('reset-traffic')
  @Requires('keys:write')
  @HttpCode(200)
  @ApiOkResponse({ type: KeyViewDto })
  resetTraffic(@TelegramId() telegramId: number): Promise<KeyView> {
    return this.keys.resetTraffic(telegramId);
  }

  /**
   * A new key on every node (`scope: key`), and a new subscription URL too (`all`, the default); the old ones stop
   * working at once.
   */
  @Post('rotate')
  @Requires('keys:write')
  @HttpCode(200)
  @ApiOkResponse({ type: KeyViewDto })
  rotate(@TelegramId() telegramId: number, @Body() body: RotateDto): Promise<KeyView> {
    return this.keys.rotate(telegramId, body.scope);
  }

  /** Revokes the user everywhere; a later PUT creates a new user with a new key. */
  @Delete()
  @Requires('keys:write')
  @HttpCode(204)
  remove(@TelegramId() telegramId: number): Promise<void> {
    return this.keys.remove(telegramId);
  }

  @Get('node')
  @Requires('keys:read')
  @ApiOkResponse({ type: KeyNodeViewDto })
  node(@TelegramId() telegramId: number): Promise<KeyNodeView> {
    return this.keys.nodeOf(telegramId);
  }
}

/** The bot's lookups across its users. */
@ApiTags('keys')
@ApiBearerAuth()
@Controller('keys')
export class KeysLookupController {
  constructor(private readonly keys: KeysService) {}

  /** The keys of the users with this Telegram username (exact, case-insensitive), one page. */
  @Get()
  @Requires('keys:read')
  @ApiOkResponse({ type: KeyPageDto })
  byUsername(@Query() query: KeyLookupQueryDto): Promise<Page<KeyView>> {
    return this.keys.byUsername(query.username, query.page, query.limit);
  }
}
