import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { ErrorCode } from '@fleet/contract';
import { pinoHttp } from 'pino-http';
import { httpLogOptions } from '../../common/logging/logger';
import { AppConfig } from '../../config/app-config';
import { KeysService } from './keys.service';

const ROUTE = /^\/sub\/([^/]*)$/;
const TOKEN = /^[\w-]{16,64}$/;

/**
 * `GET /sub/:token`: what VPN apps poll, at every app's refresh interval, for every user: served ahead of the
 * framework's pipeline (no auth, guards or body parsing apply to it; the token, 192 random bits, is the credential),
 * logged like every request with the token redacted.
 */
export function subscriptionRoute(keys: KeysService, config: AppConfig, logger: Logger): RequestHandler {
  const log = pinoHttp(httpLogOptions(logger));
  const fixedHeaders: Record<string, string> = {
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'profile-update-interval': String(config.subUpdateIntervalHours),
  };
  if (config.subProfileTitle) {
    fixedHeaders['profile-title'] = `base64:${Buffer.from(config.subProfileTitle).toString('base64')}`;
  }
  if (config.subSupportUrl) fixedHeaders['support-url'] = config.subSupportUrl;
  if (config.subWebPageUrl) fixedHeaders['profile-web-page-url'] = config.subWebPageUrl;

  return (request: Request, response: Response, next: NextFunction) => {
    const match = request.method === 'GET' || request.method === 'HEAD' ? ROUTE.exec(request.path) : null;
    if (!match) return next();
    log(request, response);
    const token = safeDecode(match[1]);
    const found = token !== null && TOKEN.test(token) ? keys.subscription(token) : Promise.resolve(null);
    found.then(
      (subscription) => {
        if (!subscription) {
          response.status(404).json({
            statusCode: 404,
            error: 'Not Found',
            message: 'unknown subscription',
            code: ErrorCode.NotFound,
          });
          return;
        }
        const { links, access, uploadBytes } = subscription;
        // The current period as counted against the quota, upload and download apart.
        const expire = access.expiresAt ? Math.floor(Date.parse(access.expiresAt) / 1000) : 0;
        response.set(fixedHeaders);
        response.set(
          'subscription-userinfo',
          `upload=${uploadBytes}; download=${access.usedBytes - uploadBytes}; total=${access.trafficLimitBytes}; expire=${expire}`,
        );
        response.type('text/plain; charset=utf-8');
        response.send(Buffer.from(links.map((link) => `${link}\n`).join('')).toString('base64'));
      },
      (error: unknown) => {
        response.err = error as Error; // logged by the request's log line
        response.status(500).json({
          statusCode: 500,
          error: 'Internal Server Error',
          message: 'internal error',
          code: ErrorCode.Internal,
        });
      },
    );
  };
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
