import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { generateSecretKey } from '../crypto/secret-box';

export interface LocalSecrets {
  secretKey: string;
  databasePassword: string;
}

/**
 * Secrets of a single-machine install with the embedded database, generated once and kept in
 * `<dataDir>/local-secrets.json` (mode 0600) so that restarts can still decrypt what was stored.
 */
export function loadOrCreateLocalSecrets(dataDir: string): { secrets: LocalSecrets; created: boolean } {
  const file = join(dataDir, 'local-secrets.json');
  if (existsSync(file)) return { secrets: JSON.parse(readFileSync(file, 'utf8')) as LocalSecrets, created: false };
  mkdirSync(dataDir, { recursive: true });
  const secrets: LocalSecrets = {
    secretKey: generateSecretKey(),
    databasePassword: randomBytes(24).toString('base64url'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  return { secrets, created: true };
}
