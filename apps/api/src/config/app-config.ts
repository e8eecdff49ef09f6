import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { LevelWithSilent } from 'pino';
import { isTimeZone } from '../modules/access/traffic-period';

export interface AppConfig {
  port: number;
  host: string;
  /**
   * A stop (SIGTERM, SIGINT) ends within this long: requests in flight finish and background work ends meanwhile;
   * past it, what is left is cut and the process exits.
   */
  shutdownTimeoutMs: number;
  /** External PostgreSQL; when absent an embedded server under `dataDir` is used. */
  databaseUrl: string | null;
  dataDir: string;
  embeddedPgPort: number;
  /** Raw SECRET_KEY value; decoded and checked by `decodeSecretKey` when the runtime starts. */
  secretKey: string | null;
  jwtTtlSeconds: number;
  /** A session renews its token while used (POST /auth/refresh) until this long after the password login. */
  sessionMaxHours: number;
  adminUsername: string | null;
  adminPassword: string | null;
  nodesConfigPath: string | null;
  logLevel: LevelWithSilent;
  loginMaxFailures: number;
  loginWindowSeconds: number;
  /**
   * Which proxies may set X-Forwarded-For: `false` (none: the socket address is the client), a number of hops in
   * front of the app, or the proxies' addresses/CIDRs (Express `trust proxy` semantics). Never "every hop".
   */
  trustProxy: false | number | string[];
  /** Password checks running at once; more logins at that moment wait their turn. */
  loginConcurrency: number;
  /** Logins waiting for a password check at most (clean addresses first); more get 429. */
  loginQueue: number;
  /**
   * A refused or failed login, and any request refused before its sender was authenticated, is answered after this
   * long, which slows down clients that wait for answers.
   */
  loginRejectDelayMs: number;
  /** Base of the subscription URLs handed to users (`PUBLIC_URL`, default http://localhost:PORT). */
  publicUrl: string;
  webhookUrl: string | null;
  webhookSecret: string | null;
  /** A webhook delivery not answered within this fails (and is retried); a replica that dies while delivering is
   * taken over after twice this plus 5 s. */
  webhookTimeoutMs: number;
  /** Hours VPN apps wait between refreshes: short, so a moved user's app learns the new server soon. */
  subUpdateIntervalHours: number;
  /** A server's name in the apps (`{flag}`, `{group}`, `{country}`, `{location}`). */
  subRemarkTemplate: string;
  /** A message VPN apps show with the subscription (`announce`). */
  subAnnounce: string | null;
  /** Which apps get which format: a file of `<format> <regular expression>` lines replacing the built-in table. */
  subUserAgentsFile: string | null;
  /** Shown by VPN apps with the subscription (`profile-title`, `support-url`, `profile-web-page-url`). */
  subProfileTitle: string | null;
  subSupportUrl: string | null;
  subWebPageUrl: string | null;
  /** A pending assignment older than this is resolved against its panel (crash recovery). */
  pendingTimeoutSeconds: number;
  /** Users a job moves per batch (one reservation, batched panel calls, one switch transaction). */
  jobConcurrency: number;
  /** Batches of one job in flight at once (their panel calls overlap each other's database work). */
  jobParallelBatches: number;
  /** A job whose runner stops renewing its lease for this long is resumed by another process. */
  jobLeaseSeconds: number;
  /** How often background work (jobs, tombstones, webhooks, pending assignments) wakes up. */
  backgroundTickMs: number;
  /** Health sweep period; 0 turns scheduled sweeps off (checks then run only on demand). */
  healthIntervalMs: number;
  healthConcurrency: number;
  healthTimeoutMs: number;
  /** How long one panel call may take before it counts as unreachable. */
  panelTimeoutMs: number;
  /** Consecutive failures before a node is unhealthy, and successes before it is healthy again. */
  healthFall: number;
  healthRise: number;
  healthRetentionDays: number;
  /** Days of events kept (the event log and webhooks' source). */
  eventsRetentionDays: number;
  /** Housekeeping period (kept user counts folded, old health history and events pruned); 0 turns it off. */
  housekeepingIntervalMs: number;
  /** How often the access pass looks for expiries and warnings; 0 turns it off. */
  accessIntervalMs: number;
  /** `user.expiring` is sent this long before an expiry. */
  accessExpiryWarningHours: number;
  /** IANA time zone of calendar traffic resets (day, week, month). */
  accessTimezone: string;
  /** How often the usage pass reads every panel's counters; 0 turns it off. */
  usageIntervalMs: number;
  /** Panels read at once by the usage pass. */
  usageConcurrency: number;
  /** Hourly usage rows are kept this many days, then rolled up into daily rows. */
  usageHourlyDays: number;
  /** Usage history is kept this many days. */
  usageRetentionDays: number;
  /** The dashboard's top users of the last 24 h are recomputed this often (one replica) and read from that
   * snapshot; 0 computes them at every request. */
  topUsersRefreshMs: number;
  /** Every node is reconciled at least this often; 0 turns the scheduled reconcile off. */
  reconcileIntervalMs: number;
  /** Corrections written per node and reconcile at most; the rest waits for the next one. */
  reconcileMaxWrites: number;
  /** `repair` corrects drift; `report` only records and announces it. */
  reconcileMode: 'repair' | 'report';
  /** A node whose panel reports more CPU than this (percent) takes no new users; 0 turns the rule off. */
  cpuBusyPercent: number;
  /** Telegram alerts: the bot that sends them, the chats that get them (none: alerts off). */
  telegramBotToken: string | null;
  telegramAdminChatIds: number[];
  /** Another Bot API server (a local one), instead of https://api.telegram.org. */
  telegramApiRoot: string | null;
  /** Which alerts go to Telegram. */
  telegramAlerts: TelegramAlert[];
  /** Hour of the day (in ACCESS_TIMEZONE) the daily digest is sent. */
  telegramDigestHour: number;
  /** Testing only: the process kills itself with SIGKILL when it reaches this named point. */
  crashPoint: string | null;
}

/** The kinds of Telegram alerts, each of which can be turned off (TELEGRAM_ALERTS). */
export const TELEGRAM_ALERTS = ['node', 'failover', 'reconcile', 'webhook', 'digest'] as const;
export type TelegramAlert = (typeof TELEGRAM_ALERTS)[number];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

const LOG_LEVELS: LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Env = Record<string, string | undefined>;

/** Parses and validates the environment once; reports every problem at the same time. */
export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const text = (name: string): string | null => {
    const value = env[name]?.trim();
    return value ? value : null;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const oneOf = <T extends string>(name: string, values: readonly T[], fallback: T): T => {
    const raw = text(name);
    if (raw === null) return fallback;
    if (!values.includes(raw as T)) {
      problems.push(`${name} must be one of ${values.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return raw as T;
  };
  const httpUrl = (name: string): string | null => {
    const value = text(name);
    if (value !== null && !/^https?:\/\/[^/\s]+/.test(value))
      problems.push(`${name} must be an http:// or https:// URL`);
    return value;
  };

  const databaseUrl = text('DATABASE_URL');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const logLevel = (text('LOG_LEVEL') ?? 'info') as LevelWithSilent;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const adminUsername = text('ADMIN_USERNAME');
  const adminPassword = env['ADMIN_PASSWORD'] || null;
  if (adminPassword !== null && adminPassword.length < 8) {
    problems.push('ADMIN_PASSWORD must be at least 8 characters long');
  }
  if ((adminUsername === null) !== (adminPassword === null)) {
    problems.push('ADMIN_USERNAME and ADMIN_PASSWORD must be set together');
  }

  const port = integer('PORT', 3000, 0, 65535);
  const publicUrl = (text('PUBLIC_URL') ?? `http://localhost:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(publicUrl)) problems.push('PUBLIC_URL must be an http:// or https:// URL');
  const webhookUrl = text('WEBHOOK_URL');
  if (webhookUrl && !/^https?:\/\//.test(webhookUrl)) problems.push('WEBHOOK_URL must be an http:// or https:// URL');
  const webhookSecret = env['WEBHOOK_SECRET'] || null;
  if (webhookUrl && (!webhookSecret || webhookSecret.length < 16)) {
    problems.push('WEBHOOK_SECRET (at least 16 characters) is required with WEBHOOK_URL');
  }

  const config: AppConfig = {
    port,
    host: text('HOST') ?? '0.0.0.0',
    databaseUrl,
    dataDir: text('DATA_DIR') ?? 'data',
    embeddedPgPort: integer('EMBEDDED_PG_PORT', 54329, 1, 65535),
    secretKey: text('SECRET_KEY'),
    jwtTtlSeconds: integer('JWT_TTL_SECONDS', 3600, 60, 7 * 24 * 3600),
    sessionMaxHours: integer('SESSION_MAX_HOURS', 7 * 24, 1, 90 * 24),
    adminUsername,
    adminPassword,
    nodesConfigPath: text('NODES_CONFIG'),
    logLevel,
    loginMaxFailures: integer('LOGIN_MAX_FAILURES', 5, 1, 1000),
    loginWindowSeconds: integer('LOGIN_WINDOW_SECONDS', 300, 1, 86400),
    trustProxy: trustedProxies(text('TRUST_PROXY'), problems),
    // Half the cores by default: hashing never takes every core from the event loop and the database.
    loginConcurrency: integer('LOGIN_CONCURRENCY', Math.max(1, Math.floor(availableParallelism() / 2)), 1, 64),
    loginQueue: integer('LOGIN_QUEUE', 200, 0, 10_000),
    loginRejectDelayMs: integer('LOGIN_REJECT_DELAY_MS', 1000, 0, 10_000),
    publicUrl,
    webhookUrl,
    webhookSecret,
    webhookTimeoutMs: integer('WEBHOOK_TIMEOUT_MS', 5000, 100, 60_000),
    subUpdateIntervalHours: integer('SUB_UPDATE_INTERVAL_HOURS', 1, 1, 168),
    subRemarkTemplate: text('SUB_REMARK_TEMPLATE') ?? '{flag} {group}',
    subAnnounce: text('SUB_ANNOUNCE'),
    subUserAgentsFile: text('SUB_USER_AGENTS_FILE'),
    subProfileTitle: text('SUB_PROFILE_TITLE'),
    subSupportUrl: httpUrl('SUB_SUPPORT_URL'),
    subWebPageUrl: httpUrl('SUB_WEB_PAGE_URL'),
    shutdownTimeoutMs: integer('SHUTDOWN_TIMEOUT_MS', 20_000, 1000, 600_000),
    pendingTimeoutSeconds: integer('PENDING_TIMEOUT_SECONDS', 60, 1, 86400),
    jobConcurrency: integer('JOB_CONCURRENCY', 2000, 1, 5000),
    jobParallelBatches: integer('JOB_PARALLEL_BATCHES', 4, 1, 32),
    jobLeaseSeconds: integer('JOB_LEASE_SECONDS', 30, 1, 3600),
    backgroundTickMs: integer('BACKGROUND_TICK_MS', 1000, 50, 600_000),
    healthIntervalMs: integer('HEALTH_INTERVAL_MS', 10_000, 0, 3_600_000),
    healthConcurrency: integer('HEALTH_CONCURRENCY', 32, 1, 1000),
    healthTimeoutMs: integer('HEALTH_TIMEOUT_MS', 4000, 100, 60_000),
    panelTimeoutMs: integer('PANEL_TIMEOUT_MS', 10_000, 500, 120_000),
    healthFall: integer('HEALTH_FALL', 3, 1, 100),
    healthRise: integer('HEALTH_RISE', 2, 1, 100),
    healthRetentionDays: integer('HEALTH_RETENTION_DAYS', 7, 1, 3650),
    eventsRetentionDays: integer('EVENTS_RETENTION_DAYS', 90, 1, 3650),
    housekeepingIntervalMs: integer('HOUSEKEEPING_INTERVAL_MS', 10_000, 0, 3_600_000),
    accessIntervalMs: integer('ACCESS_INTERVAL_MS', 30_000, 0, 3_600_000),
    accessExpiryWarningHours: integer('ACCESS_EXPIRY_WARNING_HOURS', 72, 1, 8760),
    accessTimezone: timeZone(text('ACCESS_TIMEZONE') ?? 'UTC', problems),
    usageIntervalMs: integer('USAGE_INTERVAL_MS', 60_000, 0, 3_600_000),
    usageConcurrency: integer('USAGE_CONCURRENCY', 8, 1, 64),
    usageHourlyDays: integer('USAGE_HOURLY_DAYS', 7, 1, 90),
    usageRetentionDays: integer('USAGE_RETENTION_DAYS', 400, 1, 3650),
    topUsersRefreshMs: integer('TOP_USERS_REFRESH_MS', 300_000, 0, 3_600_000),
    reconcileIntervalMs: integer('RECONCILE_INTERVAL_MS', 300_000, 0, 86_400_000),
    reconcileMaxWrites: integer('RECONCILE_MAX_WRITES', 2000, 1, 100_000),
    reconcileMode: oneOf('RECONCILE_MODE', ['repair', 'report'] as const, 'repair'),
    cpuBusyPercent: integer('CPU_BUSY_PERCENT', 0, 0, 100),
    telegramBotToken: text('TELEGRAM_BOT_TOKEN'),
    telegramAdminChatIds: chatIds(text('TELEGRAM_ADMIN_CHAT_IDS'), problems),
    telegramApiRoot: httpUrl('TELEGRAM_API_ROOT'),
    telegramAlerts: telegramAlerts(text('TELEGRAM_ALERTS'), problems),
    telegramDigestHour: integer('TELEGRAM_DIGEST_HOUR', 9, 0, 23),
    crashPoint: text('CRASH_POINT'),
  };
  if (config.telegramBotToken && !/^[0-9]+:[A-Za-z0-9_-]{20,}$/.test(config.telegramBotToken)) {
    problems.push('TELEGRAM_BOT_TOKEN must look like 123456:ABC-DEF… (as @BotFather gives it)');
  }
  if ((config.telegramBotToken === null) !== (config.telegramAdminChatIds.length === 0)) {
    problems.push('TELEGRAM_BOT_TOKEN and TELEGRAM_ADMIN_CHAT_IDS must be set together');
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}

const PROXY_KEYWORDS = ['loopback', 'linklocal', 'uniquelocal'];

/** TRUST_PROXY: unset/false, a hop count, or a comma-separated list of addresses, CIDRs or Express's keywords. */
function trustedProxies(raw: string | null, problems: string[]): false | number | string[] {
  if (raw === null || ['false', 'no', '0'].includes(raw.toLowerCase())) return false;
  if (/^[0-9]{1,2}$/.test(raw)) return Number(raw);
  if (['true', 'yes'].includes(raw.toLowerCase())) {
    problems.push(
      'TRUST_PROXY=true would trust every hop, so anyone could forge X-Forwarded-For; give the number of proxies in ' +
        'front of the app (e.g. 1) or their addresses (e.g. 10.0.0.5,10.0.1.0/24)',
    );
    return false;
  }
  const entries = raw.split(',').map((entry) => entry.trim());
  const invalid = entries.filter((entry) => !PROXY_KEYWORDS.includes(entry) && !isAddressOrCidr(entry));
  if (invalid.length) {
    problems.push(
      `TRUST_PROXY must be false, a hop count or a list of proxy addresses/CIDRs (bad: ${invalid.join(', ')})`,
    );
    return false;
  }
  return entries;
}

function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** TELEGRAM_ADMIN_CHAT_IDS: comma-separated chat ids (negative for groups). */
function chatIds(raw: string | null, problems: string[]): number[] {
  if (raw === null) return [];
  const ids = raw.split(',').map((entry) => entry.trim());
  if (ids.some((id) => !/^-?[1-9][0-9]{0,15}$/.test(id) || !Number.isSafeInteger(Number(id)))) {
    problems.push(`TELEGRAM_ADMIN_CHAT_IDS must be comma-separated chat ids such as 12345,-100987 (got "${raw}")`);
    return [];
  }
  return [...new Set(ids.map(Number))];
}

/** TELEGRAM_ALERTS: which kinds go (default all). */
function telegramAlerts(raw: string | null, problems: string[]): TelegramAlert[] {
  if (raw === null) return [...TELEGRAM_ALERTS];
  const kinds = raw.split(',').map((entry) => entry.trim());
  const unknown = kinds.filter((kind) => !(TELEGRAM_ALERTS as readonly string[]).includes(kind));
  if (unknown.length) {
    problems.push(`TELEGRAM_ALERTS must list some of ${TELEGRAM_ALERTS.join(', ')} (bad: ${unknown.join(', ')})`);
    return [...TELEGRAM_ALERTS];
  }
  return [...new Set(kinds)] as TelegramAlert[];
}

function timeZone(zone: string, problems: string[]): string {
  if (!isTimeZone(zone))
    problems.push(`ACCESS_TIMEZONE must be an IANA time zone such as Europe/Moscow (got "${zone}")`);
  return zone;
}
