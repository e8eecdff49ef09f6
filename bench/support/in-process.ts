import { randomBytes } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { createDatabase } from '@fleet/testing';
import { createApp } from '../../apps/api/src/app.factory';
import { SecretBox } from '../../apps/api/src/common/crypto/secret-box';
import { migrateDatabase } from '../../apps/api/src/common/database/migrate';
import { createLogger } from '../../apps/api/src/common/logging/logger';
import { loadConfig } from '../../apps/api/src/config/app-config';

/**
 * The control plane in this process (scheduled work off, so the benchmark runs its passes itself) on a fresh,
 * migrated database that `close` drops.
 */
export async function startInProcess(
  name: string,
  env: Record<string, string> = {},
): Promise<{ app: INestApplication; secretBox: SecretBox; close(): Promise<void> }> {
  const database = await createDatabase(name, process.env['BENCH_DATABASE_URL']);
  await migrateDatabase(database.url);
  const secretBox = new SecretBox(randomBytes(32));
  const config = loadConfig({
    ADMIN_USERNAME: 'bench',
    ADMIN_PASSWORD: 'bench-password',
    LOG_LEVEL: 'silent',
    HEALTH_INTERVAL_MS: '0',
    ACCESS_INTERVAL_MS: '0',
    USAGE_INTERVAL_MS: '0',
    ...env,
  });
  const app = await createApp({ config, databaseUrl: database.url, secretBox, logger: createLogger('silent') });
  await app.init();
  return {
    app,
    secretBox,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}
