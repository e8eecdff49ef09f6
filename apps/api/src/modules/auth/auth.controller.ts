import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ErrorCode, LoginResponse, WhoAmI } from '@fleet/contract';
import { ChangePasswordDto, LoginDto, LoginResponseDto, WhoAmIDto } from './auth.dto';
import { AuthService } from './auth.service';
import { CurrentPrincipal, Principal } from './principal';
import { ANY_CREDENTIAL, Public, Requires, SessionOnly } from '../../common/http/roles.decorator';
import { ApiErrors } from '../../common/http/openapi';

@ApiTags('auth')
@ApiBearerAuth()
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiErrors(ErrorCode.InvalidCredentials, ErrorCode.TooManyLoginAttempts)
  login(@Body() body: LoginDto, @Req() request: Request): Promise<LoginResponse> {
    return this.auth.login(body.username, body.password, request.ip ?? 'unknown');
  }

  /** The caller: an admin or a token, its role or preset and its scopes (what the SPA may show). */
  @Get('me')
  @Requires(ANY_CREDENTIAL)
  @ApiOkResponse({ type: WhoAmIDto })
  me(@CurrentPrincipal() principal: Principal): WhoAmI {
    return this.auth.whoAmI(principal);
  }

  /** A fresh token for this session (sliding expiry), until SESSION_MAX_HOURS after the login. */
  @Post('refresh')
  @SessionOnly()
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponseDto, description: 'a fresh token of the same session' })
  refresh(@CurrentPrincipal() principal: Principal, @Req() request: Request): Promise<LoginResponse> {
    return this.auth.refresh(principal, request.headers.authorization);
  }

  /** Revokes every access token of the calling admin (all their sessions, this one included). */
  @Post('logout-all')
  @SessionOnly()
  @HttpCode(204)
  @ApiNoContentResponse()
  logoutAll(@CurrentPrincipal() principal: Principal): Promise<void> {
    return this.auth.logoutEverywhere(principal);
  }

  /** Changes the calling admin's password; their other tokens stop working; answers a fresh token. */
  @Post('password')
  @SessionOnly()
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiErrors(ErrorCode.InvalidCredentials)
  changePassword(@Body() body: ChangePasswordDto, @CurrentPrincipal() principal: Principal): Promise<LoginResponse> {
    return this.auth.changePassword(principal, body.currentPassword, body.newPassword);
  }
}
