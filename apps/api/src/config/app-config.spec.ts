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
      TRUST_PROXY: 'true',
    });
    expect(config).toMatchObject({
      port: 8080,
      databaseUrl: 'postgres://u:p@db:5432/fleet',
      adminUsername: 'boss',
      trustProxy: true,
    });
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
      'TRUST_PROXY must be true or false (got "maybe")',
    ]);
    expect(error!.message).toContain('Invalid configuration');
  });
});
