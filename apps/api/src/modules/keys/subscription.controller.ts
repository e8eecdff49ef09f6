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
    const subscription = /^[\w-]{16,64}$/.test(token) ? await this.keys.subscription(token) : null;
    if (subscription === null) throw new DomainError(ErrorCode.NotFound, 'unknown subscription');
    const { links, access, uploadBytes } = subscription;
    response.setHeader('Content-Type', 'text/plain; charset=utf-8');
    response.setHeader('profile-update-interval', String(this.config.subUpdateIntervalHours));
    // The current period as counted against the quota, upload and download apart.
    const expire = access.expiresAt ? Math.floor(Date.parse(access.expiresAt) / 1000) : 0;
    response.setHeader(
      'subscription-userinfo',
      `upload=${uploadBytes}; download=${access.usedBytes - uploadBytes}; total=${access.trafficLimitBytes}; expire=${expire}`,
    );
    if (this.config.subProfileTitle) {
      response.setHeader('profile-title', `base64:${Buffer.from(this.config.subProfileTitle).toString('base64')}`);
    }
    if (this.config.subSupportUrl) response.setHeader('support-url', this.config.subSupportUrl);
    if (this.config.subWebPageUrl) response.setHeader('profile-web-page-url', this.config.subWebPageUrl);
    return Buffer.from(links.map((link) => `${link}\n`).join('')).toString('base64');
  }
}
