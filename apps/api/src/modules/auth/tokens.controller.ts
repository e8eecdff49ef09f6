import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiTokenView, CreatedApiToken } from '@fleet/contract';
import { ApiTokenViewDto, CreatedApiTokenDto, CreateTokenDto } from './auth.dto';
import { ApiTokensService } from './api-tokens.service';
import { actorOf, CurrentPrincipal, Principal } from './principal';
import { IdParam } from '../../common/http/id-param';

/** Admin only (the default): tokens are never readable by viewers. */
@ApiTags('tokens')
@ApiBearerAuth()
@Controller('tokens')
export class TokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Get()
  @ApiOkResponse({ type: [ApiTokenViewDto] })
  list(): Promise<ApiTokenView[]> {
    return this.tokens.list();
  }

  @Post()
  @ApiCreatedResponse({ type: CreatedApiTokenDto })
  create(@Body() body: CreateTokenDto, @CurrentPrincipal() principal: Principal): Promise<CreatedApiToken> {
    return this.tokens.create(body.name.trim(), body.role, actorOf(principal));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  remove(@IdParam() id: number, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.tokens.remove(id, actorOf(principal));
  }
}
