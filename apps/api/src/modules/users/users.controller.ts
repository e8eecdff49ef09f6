import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { stringify } from 'csv-stringify';
import type { Response } from 'express';
import { once } from 'node:events';
import { Page, UserView } from '@fleet/contract';
import { IdParam } from '../../common/http/id-param';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { AllowRoles } from '../../common/http/roles.decorator';
import { IdKeysetQueryDto } from '../events/events.dto';
import { UserExportQueryDto, UserPageDto, UserQueryDto, UserViewDto } from './users.dto';
import { csvRecord, CSV_COLUMNS } from './users-csv';
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

  /**
   * The matching users as CSV, streamed a batch at a time (any number of users, constant memory). Declared before
   * `:id` so this path is not read as an id.
   */
  @Get('export.csv')
  @AllowRoles('admin', 'viewer')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: `columns: ${CSV_COLUMNS.join(', ')}`, schema: { type: 'string' } })
  async export(
    @Query() query: UserExportQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Res() response: Response,
  ): Promise<void> {
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', 'attachment; filename="users.csv"');
    const csv = stringify({ header: true, columns: [...CSV_COLUMNS] });
    csv.pipe(response);
    for await (const users of this.users.each(query, principal.role)) {
      for (const user of users) {
        if (!csv.write(csvRecord(user))) await once(csv, 'drain');
      }
    }
    csv.end();
    await once(response, 'finish');
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
