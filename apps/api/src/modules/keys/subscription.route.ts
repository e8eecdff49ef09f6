import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ErrorCode } from '@fleet/contract';
import { pinoHttp } from 'pino-http';
import { httpLogOptions } from '../../common/logging/logger';
import { AppConfig } from '../../config/app-config';
import { KeysService } from './keys.service';

const ROUTE = /^\/sub\/([^/?#]*)(?:\?.*)?$/;
const TOKEN = /^[\w-]{16,64}$/;

/** Answers a request when it is the subscription route's (true), else leaves it to the application (false). */
export type SubscriptionHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * `GET /sub/:token`: what VPN apps poll, at every app's refresh interval, for every user: served on the HTTP server
 * ahead of the framework (no routing, auth, guards or body parsing apply to it; the token, 192 random bits, is the
 * credential), logged like every request with the token redacted.
 */
export function subscriptionRoute(keys: KeysService, config: AppConfig, logger: Logger): SubscriptionHandler {
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

  const answer = (response: ServerResponse, status: number, headers: Record<string, string | number>, body: string) => {
    response.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(body) });
    response.end(response.req.method === 'HEAD' ? undefined : body);
  };
  const error = (response: ServerResponse, status: number, message: string, code: string) =>
    answer(
      response,
      status,
      { 'Content-Type': 'application/json; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
      JSON.stringify({
        statusCode: status,
        error: status === 404 ? 'Not Found' : 'Internal Server Error',
        message: [message],
        code,
      }),
    );

  return (request, response) => {
    const match = request.method === 'GET' || request.method === 'HEAD' ? ROUTE.exec(request.url ?? '') : null;
    if (!match) return false;
    log(request, response);
    const token = safeDecode(match[1]);
    const found = token !== null && TOKEN.test(token) ? keys.subscription(token) : Promise.resolve(null);
    found.then(
      (subscription) => {
        if (!subscription) return error(response, 404, 'unknown subscription', ErrorCode.NotFound);
        const { links, access, uploadBytes } = subscription;
        // The current period as counted against the quota, upload and download apart.
        const expire = access.expiresAt ? Math.floor(Date.parse(access.expiresAt) / 1000) : 0;
        answer(
          response,
          200,
          {
            ...fixedHeaders,
            'subscription-userinfo': `upload=${uploadBytes}; download=${access.usedBytes - uploadBytes}; total=${access.trafficLimitBytes}; expire=${expire}`,
            'Content-Type': 'text/plain; charset=utf-8',
          },
          Buffer.from(links.map((link) => `${link}\n`).join('')).toString('base64'),
        );
      },
      (failure: unknown) => {
        (response as ServerResponse & { err?: Error }).err = failure as Error; // logged by the request's log line
        error(response, 500, 'internal error', ErrorCode.Internal);
      },
    );
    return true;
  };
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
