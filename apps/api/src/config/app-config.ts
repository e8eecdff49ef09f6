import { LevelWithSilent } from 'pino';

export interface AppConfig {
  port: number;
  host: string;
  /** External PostgreSQL; when absent an embedded server under `dataDir` is used. */
  databaseUrl: string | null;
  dataDir: string;
  embeddedPgPort: number;
  /** Raw SECRET_KEY value; decoded and checked by `resolveSecretKey`. */
  secretKey: string | null;
  jwtTtlSeconds: number;
  adminUsername: string | null;
  adminPassword: string | null;
  nodesConfigPath: string | null;
  logLevel: LevelWithSilent;
  loginMaxFailures: number;
  loginWindowSeconds: number;
  trustProxy: boolean;
}

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
  const flag = (name: string, fallback: boolean): boolean => {
    const raw = text(name);
    if (raw === null) return fallback;
    if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
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

  const config: AppConfig = {
    port: integer('PORT', 3000, 0, 65535),
    host: text('HOST') ?? '0.0.0.0',
    databaseUrl,
    dataDir: text('DATA_DIR') ?? 'data',
    embeddedPgPort: integer('EMBEDDED_PG_PORT', 54329, 1, 65535),
    secretKey: text('SECRET_KEY'),
    jwtTtlSeconds: integer('JWT_TTL_SECONDS', 3600, 60, 7 * 24 * 3600),
    adminUsername,
    adminPassword,
    nodesConfigPath: text('NODES_CONFIG'),
    logLevel,
    loginMaxFailures: integer('LOGIN_MAX_FAILURES', 5, 1, 1000),
    loginWindowSeconds: integer('LOGIN_WINDOW_SECONDS', 300, 1, 86400),
    trustProxy: flag('TRUST_PROXY', false),
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}
