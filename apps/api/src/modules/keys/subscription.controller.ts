import { Controller, Get, Header, Inject, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { ErrorCode } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { Public } from '../auth/roles.decorator';
import { KeysService } from './keys.service';

/** `GET /sub/:token`: what VPN apps poll. No auth; the token is 192 random bits. */
@ApiExcludeController()
@Public()
@Controller('sub')
export class SubscriptionController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: KeysService,
  ) {}

  @Get(':token')
  @Header('Cache-Control', 'no-store')
  async links(@Param('token') token: string, @Res({ passthrough: true }) response: Response): Promise<string> {
    const links = /^[\w-]{16,64}$/.test(token) ? await this.keys.subscriptionLinks(token) : null;
    if (links === null) throw new DomainError(ErrorCode.NotFound, 'unknown subscription');
    response.setHeader('Content-Type', 'text/plain; charset=utf-8');
    response.setHeader('profile-update-interval', String(this.config.subUpdateIntervalHours));
    return Buffer.from(links.map((link) => `${link}\n`).join('')).toString('base64');
  }
}
