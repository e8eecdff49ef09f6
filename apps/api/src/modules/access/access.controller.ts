import { Body, Controller, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Role, UserView } from '@fleet/contract';
import { IdParam } from '../../common/http/id-param';
import { actorOf, CurrentPrincipal, Principal } from '../auth/principal';
import { UsersService } from '../users/users.service';
import { AccessPatchDto } from './access.dto';
import { AccessService } from './access.service';

/** Admins change a user's access by user id (the bot does it by telegram id, under /keys). */
@ApiTags('users')
@ApiBearerAuth()
@Controller('users/:id')
export class UserAccessController {
  constructor(
    private readonly access: AccessService,
    private readonly users: UsersService,
  ) {}

  @Patch('access')
  async update(
    @IdParam() id: number,
    @Body() body: AccessPatchDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<UserView> {
    await this.access.update(id, body, actorOf(principal));
    return this.users.get(id, principal.role as Role);
  }
}
