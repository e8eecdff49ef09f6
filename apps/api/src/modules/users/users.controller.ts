import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Page, UserView } from '@fleet/contract';
import { IdParam } from '../../common/http/id-param';
import { actorOf, CurrentPrincipal, Principal } from '../auth/principal';
import { AllowRoles } from '../auth/roles.decorator';
import { AdoptionService } from './adoption.service';
import { IdKeysetQueryDto } from '../events/events.dto';
import { MigrateUserDto, UserQueryDto } from './users.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @AllowRoles('admin', 'viewer')
  list(@Query() query: UserQueryDto, @CurrentPrincipal() principal: Principal): Promise<Page<UserView>> {
    return this.users.list(query, principal.role);
  }

  @Get(':id')
  @AllowRoles('admin', 'viewer')
  get(@IdParam() id: number, @CurrentPrincipal() principal: Principal): Promise<UserView> {
    return this.users.get(id, principal.role);
  }

  @Post(':id/migrate')
  @HttpCode(200)
  migrate(
    @IdParam() id: number,
    @Body() body: MigrateUserDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<UserView> {
    return this.users.migrate(id, body.nodeId, actorOf(principal));
  }
}

/** A node's users, and adopting the clients already on its panel as users. */
@ApiTags('nodes')
@ApiBearerAuth()
@Controller('nodes/:id')
export class NodeUsersController {
  constructor(
    private readonly users: UsersService,
    private readonly adoption: AdoptionService,
  ) {}

  @Get('users')
  @AllowRoles('admin', 'viewer')
  nodeUsers(
    @IdParam() id: number,
    @Query() query: IdKeysetQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<UserView>> {
    return this.users.list({ nodeId: id, page: query.page, limit: query.limit, after: query.after }, principal.role);
  }

  @Post('adopt')
  @HttpCode(200)
  adopt(@IdParam() id: number, @CurrentPrincipal() principal: Principal) {
    return this.adoption.adopt(id, actorOf(principal));
  }
}
