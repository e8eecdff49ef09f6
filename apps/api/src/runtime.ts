import type { Logger } from 'pino';
import { AppConfig, ConfigError } from './config/app-config';
import { decodeSecretKey, SecretBox } from './common/crypto/secret-box';
import { startEmbeddedPostgres } from './common/database/embedded-postgres';
import { loadOrCreateLocalSecrets } from './common/database/local-secrets';
import type { Runtime } from './app.module';

export interface StartedRuntime extends Runtime {
  stopDatabase(): Promise<void>;
}

/** Chooses the database (DATABASE_URL or embedded) and the master key, failing fast with a readable reason. */
export async function resolveRuntime(config: AppConfig, logger: Logger): Promise<StartedRuntime> {
  if (config.databaseUrl) {
    if (!config.secretKey) {
      throw new ConfigError(['SECRET_KEY is required with DATABASE_URL (generate one with: openssl rand -hex 32)']);
    }
    return {
      config,
      logger,
      databaseUrl: config.databaseUrl,
      secretBox: box(config.secretKey),
      stopDatabase: async () => undefined,
    };
  }

  const { secrets, created } = loadOrCreateLocalSecrets(config.dataDir);
  if (!config.secretKey && created) {
    logger.warn(
      `SECRET_KEY is not set: generated one into ${config.dataDir}/local-secrets.json; keep that file with the data`,
    );
  }
  const database = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.embeddedPgPort,
    password: secrets.databasePassword,
    logger,
  });
  return {
    config,
    logger,
    databaseUrl: database.url,
    secretBox: box(config.secretKey ?? secrets.secretKey),
    stopDatabase: () => database.stop(),
  };
}

function box(rawKey: string): SecretBox {
  try {
    return new SecretBox(decodeSecretKey(rawKey));
  } catch (error) {
    throw new ConfigError([(error as Error).message]);
  }
}
