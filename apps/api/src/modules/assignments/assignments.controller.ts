import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { UserView } from '@fleet/contract';
import { IdParam } from '../../common/http/id-param';
import { CurrentPrincipal, Principal, actorOf, seesSecrets } from '../auth/principal';
import { AdoptionService } from './adoption.service';
import { UserViewDto } from '../users/users.dto';
import { AdoptionResultDto, MigrateUserDto } from './assignments.dto';
import { UserMigrationService } from './user-migration.service';
import { ApiErrors, MOVE_REFUSALS } from '../../common/http/openapi';
import { ErrorCode } from '@fleet/contract';
import { Requires } from '../../common/http/roles.decorator';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UserMigrationController {
  constructor(private readonly migration: UserMigrationService) {}

  @Post(':id/migrate')
  @Requires('users:write')
  @HttpCode(200)
  @ApiOkResponse({ type: UserViewDto, description: 'the user, on the node asked for' })
  @ApiErrors(...MOVE_REFUSALS)
  migrate(
    @IdParam() id: number,
    @Body() body: MigrateUserDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<UserView> {
    return this.migration.migrate(id, body.nodeId, actorOf(principal), seesSecrets(principal));
  }
}

/** Adopting the clients already on a node's panel as users of that node. */
@ApiTags('nodes')
@ApiBearerAuth()
@Controller('nodes/:id')
export class AdoptionController {
  constructor(private readonly adoption: AdoptionService) {}

  @Post('adopt')
  @Requires('nodes:write')
  @HttpCode(200)
  @ApiOkResponse({ type: AdoptionResultDto })
  @ApiErrors(ErrorCode.NodeNotEligible, ErrorCode.NodeUnreachable)
  adopt(@IdParam() id: number, @CurrentPrincipal() principal: Principal): Promise<AdoptionResultDto> {
    return this.adoption.adopt(id, actorOf(principal));
  }
}
