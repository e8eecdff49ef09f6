import { Body, Controller, Delete, HttpCode, Patch, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { UserView } from '@fleet/contract';
import { IdParam } from '../../common/http/id-param';
import { IdempotencyKey, IdempotentRequest, markReplayed } from '../../common/http/idempotency-key';
import { CurrentPrincipal, Principal, actorOf, seesSecrets } from '../auth/principal';
import { UsersService } from '../users/users.service';
import { UserViewDto } from '../users/users.dto';
import { AccessPatchDto, ExtendDto, RotateDto } from './access.dto';
import { AccessService } from './access.service';
import { Requires } from '../../common/http/roles.decorator';

/** Admins manage a user's access by user id (the bot does the same by telegram id, under /keys). */
@ApiTags('users')
@ApiBearerAuth()
@Controller('users/:id')
export class UserAccessController {
  constructor(
    private readonly access: AccessService,
    private readonly users: UsersService,
  ) {}

  @Post('extend')
  @Requires('users:access')
  @HttpCode(200)
  @ApiOkResponse({ type: UserViewDto, description: 'the user as stored, extended (once per Idempotency-Key)' })
  async extend(
    @IdParam() id: number,
    @Body() body: ExtendDto,
    @IdempotencyKey() idempotent: IdempotentRequest | null,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<UserView> {
    const { access, replayed } = await this.access.extend(id, body.days, idempotent, actorOf(principal));
    markReplayed(response, replayed);
    return { ...(await this.users.get(id, seesSecrets(principal))), access };
  }

  @Post('reset-traffic')
  @Requires('users:access')
  @HttpCode(200)
  @ApiOkResponse({ type: UserViewDto })
  async resetTraffic(@IdParam() id: number, @CurrentPrincipal() principal: Principal): Promise<UserView> {
    await this.access.resetTraffic(id, actorOf(principal));
    return this.users.get(id, seesSecrets(principal));
  }

  @Post('rotate')
  @Requires('users:access')
  @HttpCode(200)
  @ApiOkResponse({ type: UserViewDto })
  async rotate(
    @IdParam() id: number,
    @Body() body: RotateDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<UserView> {
    await this.access.rotate(id, actorOf(principal), body.scope);
    return this.users.get(id, seesSecrets(principal));
  }

  @Delete()
  @Requires('users:write')
  @HttpCode(204)
  remove(@IdParam() id: number, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.access.remove(id, actorOf(principal));
  }

  @Patch('access')
  @Requires('users:access')
  @ApiOkResponse({ type: UserViewDto })
  async update(
    @IdParam() id: number,
    @Body() body: AccessPatchDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<UserView> {
    await this.access.update(id, body, actorOf(principal));
    return this.users.get(id, seesSecrets(principal));
  }
}
