import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { UserKeysView } from '@fleet/contract';
import { IdParam } from '../../common/http/id-param';
import { UserKeysViewDto } from './keys.dto';
import { KeysService } from './keys.service';
import { Requires } from '../../common/http/roles.decorator';

/** What support hands a user, by user id: admins only (the subscription URL is a credential). */
@ApiTags('users')
@ApiBearerAuth()
@Controller('users/:id/keys')
export class UserKeysController {
  constructor(private readonly keys: KeysService) {}

  @Get()
  @Requires('users:secrets')
  @ApiOkResponse({ type: UserKeysViewDto })
  get(@IdParam() id: number): Promise<UserKeysView> {
    return this.keys.userKeys(id);
  }
}
