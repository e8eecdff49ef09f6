import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { stringify } from 'csv-stringify';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Page, UserView } from '@fleet/contract';
import { IdParam } from '../../common/http/id-param';
import { CurrentPrincipal, Principal, seesSecrets } from '../auth/principal';
import { Requires } from '../../common/http/roles.decorator';
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
  @Requires('users:read')
  @ApiOkResponse({ type: UserPageDto })
  list(@Query() query: UserQueryDto, @CurrentPrincipal() principal: Principal): Promise<Page<UserView>> {
    return this.users.list(query, seesSecrets(principal));
  }

  /**
   * The matching users as CSV, streamed a batch at a time (any number of users, constant memory). Declared before
   * `:id` so this path is not read as an id.
   */
  @Get('export.csv')
  @Requires('users:read')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: `columns: ${CSV_COLUMNS.join(', ')}`, schema: { type: 'string' } })
  async export(
    @Query() query: UserExportQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Res() response: Response,
  ): Promise<void> {
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', 'attachment; filename="users.csv"');
    const users = this.users;
    async function* records() {
      for await (const batch of users.each(query, seesSecrets(principal))) yield* batch.map(csvRecord);
    }
    // Backpressure throughout; a client that goes away stops the reading (the generator is closed).
    await pipeline(Readable.from(records()), stringify({ header: true, columns: [...CSV_COLUMNS] }), response).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
      },
    );
  }

  @Get(':id')
  @Requires('users:read')
  @ApiOkResponse({ type: UserViewDto })
  get(@IdParam() id: number, @CurrentPrincipal() principal: Principal): Promise<UserView> {
    return this.users.get(id, seesSecrets(principal));
  }
}

/** A node's users. */
@ApiTags('nodes')
@ApiBearerAuth()
@Controller('nodes/:id')
export class NodeUsersController {
  constructor(private readonly users: UsersService) {}

  @Get('users')
  @Requires('users:read')
  @ApiOkResponse({ type: UserPageDto })
  nodeUsers(
    @IdParam() id: number,
    @Query() query: IdKeysetQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<UserView>> {
    return this.users.list(
      { nodeId: id, page: query.page, limit: query.limit, after: query.after },
      seesSecrets(principal),
    );
  }
}
