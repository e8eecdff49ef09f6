import { Body, Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminView, ErrorCode, LoginResponse } from '@fleet/contract';
import { IdParam } from '../../common/http/id-param';
import { ApiErrors } from '../../common/http/openapi';
import { Requires, SessionOnly } from '../../common/http/roles.decorator';
import { AdminsService } from './admins.service';
import { AdminViewDto, ChangePasswordDto, CreateAdminDto, LoginResponseDto, UpdateAdminDto } from './auth.dto';
import { AuthService } from './auth.service';
import { actorOf, CurrentPrincipal, Principal } from './principal';

/** Admin accounts and their roles: owners only; an admin's own password is theirs to change. */
@ApiTags('admins')
@ApiBearerAuth()
@Controller('admins')
export class AdminsController {
  constructor(
    private readonly admins: AdminsService,
    private readonly auth: AuthService,
  ) {}

  @Get()
  @Requires('admins:manage')
  @ApiOkResponse({ type: [AdminViewDto] })
  list(): Promise<AdminView[]> {
    return this.admins.list();
  }

  @Post()
  @Requires('admins:manage')
  @ApiCreatedResponse({ type: AdminViewDto })
  @ApiErrors(ErrorCode.AdminNameTaken)
  create(@Body() body: CreateAdminDto, @CurrentPrincipal() principal: Principal): Promise<AdminView> {
    return this.admins.create(body.username, body.password, body.role, actorOf(principal));
  }

  /** Changes the calling admin's password (as `POST /auth/password`); their other sessions end. */
  @Post('me/password')
  @SessionOnly()
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiErrors(ErrorCode.InvalidCredentials)
  changePassword(@Body() body: ChangePasswordDto, @CurrentPrincipal() principal: Principal): Promise<LoginResponse> {
    return this.auth.changePassword(principal, body.currentPassword, body.newPassword);
  }

  /** Role or disabled; the last active owner can be neither demoted nor disabled. */
  @Patch(':id')
  @Requires('admins:manage')
  @ApiOkResponse({ type: AdminViewDto })
  @ApiErrors(ErrorCode.LastOwner)
  update(
    @IdParam() id: number,
    @Body() body: UpdateAdminDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<AdminView> {
    return this.admins.update(id, body, actorOf(principal));
  }

  @Delete(':id')
  @Requires('admins:manage')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiErrors(ErrorCode.LastOwner)
  remove(@IdParam() id: number, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.admins.remove(id, actorOf(principal));
  }
}
