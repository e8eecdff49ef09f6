import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { BulkResult } from '@fleet/contract';
import { IdempotencyKey, IdempotentRequest } from '../../common/http/idempotency-key';
import { actorOf, CurrentPrincipal, Principal } from '../auth/principal';
import { BulkAccessDto, BulkExtendDto, BulkMigrateDto, BulkResultDto, BulkUsersDto } from './users-bulk.dto';
import { UsersBulkService } from './users-bulk.service';
import { Requires } from '../../common/http/roles.decorator';

const ANSWER = { type: BulkResultDto, description: 'an outcome per user; one refusal does not stop the others' };

/** Actions on many users at once (admins): each user as its single-user route would treat it. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersBulkController {
  constructor(private readonly bulk: UsersBulkService) {}

  @Post('bulk-extend')
  @Requires('users:access')
  @HttpCode(200)
  @ApiOkResponse(ANSWER)
  extend(
    @Body() body: BulkExtendDto,
    @IdempotencyKey() idempotent: IdempotentRequest | null,
    @CurrentPrincipal() principal: Principal,
  ): Promise<BulkResult> {
    return this.bulk.extend(body.ids, body.days, idempotent, actorOf(principal));
  }

  @Post('bulk-access')
  @Requires('users:access')
  @HttpCode(200)
  @ApiOkResponse(ANSWER)
  access(@Body() body: BulkAccessDto, @CurrentPrincipal() principal: Principal): Promise<BulkResult> {
    return this.bulk.setEnabled(body.ids, body.enabled, actorOf(principal));
  }

  @Post('bulk-migrate')
  @Requires('users:write')
  @HttpCode(200)
  @ApiOkResponse(ANSWER)
  migrate(@Body() body: BulkMigrateDto, @CurrentPrincipal() principal: Principal): Promise<BulkResult> {
    return this.bulk.migrate(body.ids, body.nodeId, actorOf(principal));
  }

  @Post('bulk-delete')
  @Requires('users:write')
  @HttpCode(200)
  @ApiOkResponse(ANSWER)
  remove(@Body() body: BulkUsersDto, @CurrentPrincipal() principal: Principal): Promise<BulkResult> {
    return this.bulk.remove(body.ids, actorOf(principal));
  }
}
