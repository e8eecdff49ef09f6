import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/app-config';
import { SecretBox } from '../../src/common/crypto/secret-box';
import { migrateDatabase } from '../../src/common/database/migrate';
import { createLogger } from '../../src/common/logging/logger';
import { createTestDatabase } from './test-database';

export const ADMIN = { username: 'root-admin', password: 'correct horse battery' };

export interface TestApp {
  app: INestApplication;
  /** Base URL of the app listening on a real socket. */
  url: string;
  databaseUrl: string;
  dataSource: DataSource;
  secretBox: SecretBox;
  http: () => ReturnType<typeof request>;
  adminToken(): Promise<string>;
  tokenFor(role: 'admin' | 'bot' | 'viewer'): Promise<string>;
  /** Stops the control plane and keeps its database (a later `close` drops it). */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Reuse a database (for restart tests); otherwise a fresh one is made and dropped at close. */
  databaseUrl?: string;
  secretKey?: Buffer;
  logger?: Logger;
}

/** The real app on a fresh, migrated database, listening on 127.0.0.1 on a free port. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.databaseUrl ? null : await createTestDatabase();
  const databaseUrl = options.databaseUrl ?? database!.url;
  await migrateDatabase(databaseUrl);
  const config = loadConfig({
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'silent',
    HEALTH_INTERVAL_MS: '0', // checks run when a test asks; tests of the sweep turn it on
    LOGIN_REJECT_DELAY_MS: '0', // tests of the login limiter turn it on
    ACCESS_INTERVAL_MS: '0', // tests run the access pass themselves
    USAGE_INTERVAL_MS: '0', // … and the usage pass
    RECONCILE_INTERVAL_MS: '0', // … and reconciles
    TOP_USERS_REFRESH_MS: '0', // top users computed when asked; the test of the snapshot turns it on
    HOUSEKEEPING_INTERVAL_MS: '0', // tests run housekeeping themselves; the test of its schedule turns it on
    ...options.env,
  });
  const secretBox = new SecretBox(options.secretKey ?? randomBytes(32));
  const app = await createApp({
    config,
    databaseUrl,
    secretBox,
    logger: options.logger ?? createLogger(config.logLevel),
  });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  let cachedAdminToken: string | null = null;
  const tokens = new Map<string, string>();
  let stopped = false;
  const testApp: TestApp = {
    app,
    url,
    databaseUrl,
    dataSource: app.get(DataSource),
    secretBox,
    http: () => request(url),
    async adminToken() {
      if (!cachedAdminToken) {
        const response = await request(url).post('/api/v1/auth/login').send(ADMIN).expect(200);
        cachedAdminToken = response.body.accessToken as string;
      }
      return cachedAdminToken;
    },
    async tokenFor(role) {
      if (role === 'admin') return testApp.adminToken();
      if (!tokens.has(role)) {
        const response = await request(url)
          .post('/api/v1/tokens')
          .set('Authorization', `Bearer ${await testApp.adminToken()}`)
          .send({ name: `${role}-token`, role })
          .expect(201);
        tokens.set(role, response.body.token);
      }
      return tokens.get(role)!;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
    },
    async close() {
      await testApp.stop();
      await database?.drop();
    },
  };
  return testApp;
}

/** A valid node body; override fields per test. */
export function nodeBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `node-${randomBytes(3).toString('hex')}`,
    location: 'Frankfurt, DE',
    panelUrl: 'https://panel.example.com:2053/secretpath/',
    panelUsername: 'admin',
    panelPassword: 'panel-password-123',
    inboundId: 1,
    publicHost: 'vpn1.example.com',
    ...overrides,
  };
}
