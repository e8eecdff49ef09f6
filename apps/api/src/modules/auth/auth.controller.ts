import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { LoginResponse } from '@fleet/contract';
import { LoginDto, LoginResponseDto } from './auth.dto';
import { AuthService } from './auth.service';
import { Public } from './roles.decorator';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiUnauthorizedResponse({ description: 'wrong username or password' })
  @ApiTooManyRequestsResponse({ description: 'too many failed attempts from this address for this username' })
  login(@Body() body: LoginDto, @Req() request: Request): Promise<LoginResponse> {
    return this.auth.login(body.username, body.password, request.ip ?? 'unknown');
  }
}
