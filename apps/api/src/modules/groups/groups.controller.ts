import { Body, Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ErrorCode, type GroupView } from '@fleet/contract';
import { IdParam } from '../../common/http/id-param';
import { Requires } from '../../common/http/roles.decorator';
import { actorOf, CurrentPrincipal, Principal } from '../auth/principal';
import { CreateGroupDto, GroupViewDto, UpdateGroupDto } from './groups.dto';
import { GroupsService } from './groups.service';
import { ApiErrors } from '../../common/http/openapi';

@ApiTags('groups')
@ApiBearerAuth()
@Controller('groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Get()
  @Requires('nodes:read')
  @ApiOkResponse({ type: [GroupViewDto], description: 'every group, in order (sortOrder, then id)' })
  list(): Promise<GroupView[]> {
    return this.groups.list();
  }

  @Get(':id')
  @Requires('nodes:read')
  @ApiOkResponse({ type: GroupViewDto })
  get(@IdParam() id: number): Promise<GroupView> {
    return this.groups.get(id);
  }

  @Post()
  @Requires('nodes:write')
  @ApiCreatedResponse({ type: GroupViewDto })
  @ApiErrors(ErrorCode.GroupNameTaken)
  create(@Body() body: CreateGroupDto, @CurrentPrincipal() principal: Principal): Promise<GroupView> {
    return this.groups.create(body, actorOf(principal));
  }

  @Patch(':id')
  @Requires('nodes:write')
  @ApiOkResponse({ type: GroupViewDto })
  @ApiErrors(ErrorCode.GroupNameTaken)
  update(
    @IdParam() id: number,
    @Body() body: UpdateGroupDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<GroupView> {
    return this.groups.update(id, body, actorOf(principal));
  }

  @Delete(':id')
  @Requires('nodes:write')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiErrors(ErrorCode.GroupHasNodes)
  remove(@IdParam() id: number, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.groups.remove(id, actorOf(principal));
  }
}
