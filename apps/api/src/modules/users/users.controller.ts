import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Page, UserView } from '@fleet/contract';
import { IdParam } from '../../common/http/id-param';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { AllowRoles } from '../../common/http/roles.decorator';
import { IdKeysetQueryDto } from '../events/events.dto';
import { UserPageDto, UserQueryDto, UserViewDto } from './users.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @AllowRoles('admin', 'viewer')
  @ApiOkResponse({ type: UserPageDto })
  list(@Query() query: UserQueryDto, @CurrentPrincipal() principal: Principal): Promise<Page<UserView>> {
    return this.users.list(query, principal.role);
  }

  @Get(':id')
  @AllowRoles('admin', 'viewer')
  @ApiOkResponse({ type: UserViewDto })
  get(@IdParam() id: number, @CurrentPrincipal() principal: Principal): Promise<UserView> {
    return this.users.get(id, principal.role);
  }
}

/** A node's users. */
@ApiTags('nodes')
@ApiBearerAuth()
@Controller('nodes/:id')
export class NodeUsersController {
  constructor(private readonly users: UsersService) {}

  @Get('users')
  @AllowRoles('admin', 'viewer')
  @ApiOkResponse({ type: UserPageDto })
  nodeUsers(
    @IdParam() id: number,
    @Query() query: IdKeysetQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<UserView>> {
    return this.users.list({ nodeId: id, page: query.page, limit: query.limit, after: query.after }, principal.role);
  }
}
