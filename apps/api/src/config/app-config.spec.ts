import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('applies defaults for an empty environment', () => {
    expect(loadConfig({})).toMatchObject({
      port: 3000,
      databaseUrl: null,
      dataDir: 'data',
      secretKey: null,
      jwtTtlSeconds: 3600,
      logLevel: 'info',
      loginMaxFailures: 5,
    });
  });

  it('reads the variables it knows', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u:p@db:5432/fleet',
      ADMIN_USERNAME: 'boss',
      ADMIN_PASSWORD: 'long-enough-password',
      TRUST_PROXY: '1',
    });
    expect(config).toMatchObject({
      port: 8080,
      databaseUrl: 'postgres://u:p@db:5432/fleet',
      adminUsername: 'boss',
      trustProxy: 1,
    });
  });

  it('reads the Telegram alert settings, and refuses them half set or malformed', () => {
    const token = '123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345';
    expect(
      loadConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_ADMIN_CHAT_IDS: '42, -100123, 42', TELEGRAM_ALERTS: 'node' }),
    ).toMatchObject({ telegramBotToken: token, telegramAdminChatIds: [42, -100123], telegramAlerts: ['node'] });
    expect(loadConfig({}).telegramAlerts).toEqual(['node', 'failover', 'reconcile', 'webhook', 'digest']);
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: token })).toThrow(/must be set together/);
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: 'nope', TELEGRAM_ADMIN_CHAT_IDS: '1' })).toThrow(/@BotFather/);
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_ADMIN_CHAT_IDS: '1,abc' })).toThrow(/chat ids/);
    expect(() => loadConfig({ TELEGRAM_ALERTS: 'node,sms' })).toThrow(/bad: sms/);
    expect(() => loadConfig({ CPU_BUSY_PERCENT: '101' })).toThrow(/CPU_BUSY_PERCENT/);
  });

  it('trusts proxies by hop count or by address, never every hop', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::1' }).trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::1',
    ]);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/would trust every hop/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/bad: 10.0.0.0\/33/);
  });

  it('lists every problem at once in readable words', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        LOG_LEVEL: 'loud',
        ADMIN_PASSWORD: 'short',
        TRUST_PROXY: 'maybe',
      });
    } catch (caught) {
      error = caught as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual([
      'DATABASE_URL must be a postgres:// or postgresql:// URL',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
      'ADMIN_PASSWORD must be at least 8 characters long',
      'ADMIN_USERNAME and ADMIN_PASSWORD must be set together',
      'PORT must be an integer from 0 to 65535 (got "eighty")',
      'TRUST_PROXY must be false, a hop count or a list of proxy addresses/CIDRs (bad: maybe)',
    ]);
    expect(error!.message).toContain('Invalid configuration');
  });
});
