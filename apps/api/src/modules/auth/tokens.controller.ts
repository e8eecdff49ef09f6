import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiTokenView, CreatedApiToken } from '@fleet/contract';
import { ApiTokenViewDto, CreatedApiTokenDto, CreateTokenDto } from './auth.dto';
import { ApiTokensService } from './api-tokens.service';
import { actorOf, CurrentPrincipal, Principal } from './principal';
import { IdParam } from '../../common/http/id-param';
import { Requires } from '../../common/http/roles.decorator';

/** Owners only (`tokens:manage`): tokens are credentials. */
@ApiTags('tokens')
@ApiBearerAuth()
@Controller('tokens')
export class TokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Get()
  @Requires('tokens:manage')
  @ApiOkResponse({ type: [ApiTokenViewDto] })
  list(): Promise<ApiTokenView[]> {
    return this.tokens.list();
  }

  @Post()
  @Requires('tokens:manage')
  @ApiCreatedResponse({ type: CreatedApiTokenDto })
  create(@Body() body: CreateTokenDto, @CurrentPrincipal() principal: Principal): Promise<CreatedApiToken> {
    return this.tokens.create(
      body.name.trim(),
      { role: body.role, scopes: body.scopes, expiresAt: body.expiresAt },
      actorOf(principal),
    );
  }

  @Delete(':id')
  @Requires('tokens:manage')
  @HttpCode(204)
  @ApiNoContentResponse()
  remove(@IdParam() id: number, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.tokens.remove(id, actorOf(principal));
  }
}
