import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { AccessStatus, ErrorCode } from '@fleet/contract';
import { pinoHttp } from 'pino-http';
import { httpLogOptions, requestId } from '../../common/logging/logger';
import { AppConfig } from '../../config/app-config';
import { clashProfile } from './formats/clash';
import {
  chooseFormat,
  DEFAULT_USER_AGENT_RULES,
  isSubscriptionFormat,
  readUserAgentRules,
  SUBSCRIPTION_FORMATS,
  SubscriptionFormat,
} from './formats/format-choice';
import { pageAssets, subscriptionPage } from './formats/page';
import { singBoxProfile } from './formats/sing-box';
import type { SubscriptionServer } from './formats/subscription-server';
import { xrayConfigs } from './formats/xray-json';
import { deviceReportOf } from '../devices/device-report';
import { DevicesService } from '../devices/devices.service';
import { KeysService } from './keys.service';

const ROUTE = /^\/sub\/([^/?#]*)(?:\/([^/?#]*))?(?:\?(.*))?$/;
const TOKEN = /^[\w-]{16,64}$/;

/** Answers a request when it is the subscription route's (true), else leaves it to the application (false). */
export type SubscriptionHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

const MEDIA_TYPES: Record<SubscriptionFormat, string> = {
  links: 'text/plain; charset=utf-8',
  base64: 'text/plain; charset=utf-8',
  clash: 'text/yaml; charset=utf-8',
  singbox: 'application/json; charset=utf-8',
  xray: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

/** Why a user gets no link, in words their app shows (`announce`). */
const NO_LINK: Partial<Record<AccessStatus, string>> = {
  disabled: 'Your access is disabled. Contact support.',
  expired: 'Your plan has ended. Renew it to connect again.',
  limited: 'You have used all the traffic of your plan for this period.',
};
const NO_SERVER = 'No server is available right now. Your app will check again within the hour.';
const OVER_DEVICE_LIMIT = 'This device is over your plan’s device limit. Remove a device in the bot, or upgrade.';

/**
 * `GET /sub/:token[/<format>]`: what VPN apps poll, at every app's refresh interval, for every user: served on the
 * HTTP server ahead of the framework (no routing, auth, guards or body parsing apply to it; the token, 192 random
 * bits, is the credential), logged like every request with the token redacted. The format is the one named
 * (`?format=` or the path), else the User-Agent's (SUB_USER_AGENTS_FILE or the built-in table), else base64 links.
 */
export function subscriptionRoute(
  keys: KeysService,
  devices: DevicesService,
  config: AppConfig,
  logger: Logger,
): SubscriptionHandler {
  const log = pinoHttp(httpLogOptions(logger));
  // A request's log line costs more than the rest of a fetch: with LOG_LEVEL above `warn` none would be written, so
  // none is built, and a failure is logged on its own.
  const logsRequests = logger.isLevelEnabled('warn');
  const rules = config.subUserAgentsFile ? readUserAgentRules(config.subUserAgentsFile) : DEFAULT_USER_AGENT_RULES;
  const title = config.subProfileTitle ?? 'VPN';
  // The QR code library resolved at run time (not by the bundler): its own file, as published.
  const assets = pageAssets(readFileSync(createRequire(__filename).resolve('qrcode-generator'), 'utf8'));
  const assetsByPath = new Map([assets.css, assets.js].map((asset) => [asset.path, asset]));
  const fixedHeaders: Record<string, string> = {
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'profile-title': `base64:${Buffer.from(title).toString('base64')}`,
  };
  const dispositions = Object.fromEntries(SUBSCRIPTION_FORMATS.map((format) => [format, disposition(format, title)]));
  const configuredAnnouncement = config.subAnnounce ? announced(config.subAnnounce) : null;
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
      JSON.stringify({ statusCode: status, error: STATUS_CODES[status], message: [message], code }),
    );

  return (request, response) => {
    const asset = assetsByPath.get(request.url ?? '');
    if (asset && (request.method === 'GET' || request.method === 'HEAD')) {
      // The same for everyone, and versioned by content: browsers keep it a day.
      answer(
        response,
        200,
        { 'Content-Type': asset.type, 'Cache-Control': 'public, max-age=86400', 'X-Content-Type-Options': 'nosniff' },
        asset.body,
      );
      return true;
    }
    const match = request.method === 'GET' || request.method === 'HEAD' ? ROUTE.exec(request.url ?? '') : null;
    if (!match) return false;
    if (logsRequests) log(request, response);
    else response.setHeader('X-Request-Id', requestId(request));
    const named =
      new URLSearchParams(match[3] ?? '').get('format') ?? (match[2] ? (safeDecode(match[2]) ?? match[2]) : null);
    if (named !== null && !isSubscriptionFormat(named)) {
      error(response, 400, `format must be one of ${SUBSCRIPTION_FORMATS.join(', ')}`, ErrorCode.ValidationFailed);
      return true;
    }
    const format = chooseFormat(
      { named, userAgent: request.headers['user-agent'] ?? '', accept: request.headers['accept'] ?? '' },
      rules,
    );
    const device = deviceReportOf(request.headers);
    if (device === 'invalid') {
      error(response, 400, 'x-hwid must be 1 to 128 printable ASCII characters', ErrorCode.ValidationFailed);
      return true;
    }
    const token = safeDecode(match[1]);
    const found = token !== null && TOKEN.test(token) ? keys.subscription(token) : Promise.resolve(null);
    found
      .then(async (subscription) => {
        if (!subscription) return error(response, 404, 'unknown subscription', ErrorCode.NotFound);
        const { access, uploadBytes } = subscription;
        const { userId, telegramId } = subscription;
        const admitted = device
          ? await devices.admit({ userId, telegramId, deviceLimit: access.deviceLimit }, device)
          : true;
        const servers = admitted ? subscription.servers : [];
        const notice = !admitted ? OVER_DEVICE_LIMIT : servers.length ? null : (NO_LINK[access.status] ?? NO_SERVER);
        const expire = access.expiresAt ? Math.floor(Date.parse(access.expiresAt) / 1000) : 0;
        const headers: Record<string, string> = {
          ...fixedHeaders,
          // The current period as counted against the quota, upload and download apart.
          'subscription-userinfo': `upload=${uploadBytes}; download=${access.usedBytes - uploadBytes}; total=${access.trafficLimitBytes}; expire=${expire}`,
          // Without a link the app should come back soon: an hour at most.
          'profile-update-interval': String(
            notice ? Math.min(1, config.subUpdateIntervalHours) : config.subUpdateIntervalHours,
          ),
          'content-disposition': dispositions[format],
          'Content-Type': MEDIA_TYPES[format],
          ...(notice
            ? { announce: announced(notice) }
            : configuredAnnouncement
              ? { announce: configuredAnnouncement }
              : {}),
          ...(admitted ? {} : { 'x-hwid-limit': 'true' }),
        };
        if (format !== 'html') return answer(response, 200, headers, render(format, servers, title));
        const view = { title, access, servers, subscriptionUrl: subscription.subscriptionUrl, notice };
        answer(response, 200, { ...headers, ...PAGE_SECURITY_HEADERS }, subscriptionPage(view, assets));
      })
      .catch((failure: unknown) => {
        if (logsRequests)
          (response as ServerResponse & { err?: Error }).err = failure as Error; // on its log line
        else logger.error({ err: failure }, 'subscription fetch failed');
        error(response, 500, 'internal error', ErrorCode.Internal);
      });
    return true;
  };
}

/** The body of every format but the page. */
function render(format: Exclude<SubscriptionFormat, 'html'>, servers: SubscriptionServer[], title: string): string {
  const lines = servers.map((server) => `${server.link}\n`).join('');
  switch (format) {
    case 'links':
      return lines;
    case 'base64':
      return Buffer.from(lines).toString('base64');
    case 'clash':
      return clashProfile(servers, title);
    case 'singbox':
      return singBoxProfile(servers);
    case 'xray':
      return xrayConfigs(servers);
  }
}

/** Apps save the profile under this name; the page is shown, not saved. */
function disposition(format: SubscriptionFormat, title: string): string {
  const ascii = title.replace(/[^\x20-\x7e]|["\\]/g, '').trim() || 'subscription';
  return `${format === 'html' ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(title)}`;
}

/** `announce`: as it is when ASCII, else base64 with its prefix (as the apps read it). */
function announced(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `base64:${Buffer.from(text).toString('base64')}`;
}

/** The page's headers: nothing runs or loads but its own stylesheet and script (from here), never in a frame. */
const PAGE_SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; " +
    "frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
