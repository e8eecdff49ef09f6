import { resolve } from 'node:path';
import request from 'supertest';
import { BuiltControlPlane, exited, freePort, startBuiltControlPlane } from '@fleet/testing';

export const MAIN = resolve(__dirname, '../../../../dist/apps/api/main.js');
export { freePort };
export type Started = BuiltControlPlane;

/** Runs the built control plane as `npm start` does (output kept for the assertions) until /readyz answers. */
export function startBuiltApp(options: { cwd: string; port: number; env: Record<string, string> }): Promise<Started> {
  return startBuiltControlPlane({ main: MAIN, ...options });
}

export const stopped = exited;

const PROCESS_ADMIN = { username: 'process-admin', password: 'process-test-password' };

/**
 * The built app on `databaseUrl` with fast background ticks, armed with `crashPoint` if given, and an admin token.
 * The same secret key every time, so a restarted process reads what the previous one encrypted.
 */
export async function bootBuiltApp(options: {
  cwd: string;
  databaseUrl: string;
  crashPoint?: string;
  env?: Record<string, string>;
}): Promise<{ running: Started; api: ReturnType<typeof request>; auth: Record<string, string> }> {
  const running = await startBuiltApp({
    cwd: options.cwd,
    port: await freePort(),
    env: {
      DATABASE_URL: options.databaseUrl,
      SECRET_KEY: 'ab'.repeat(32),
      ADMIN_USERNAME: PROCESS_ADMIN.username,
      ADMIN_PASSWORD: PROCESS_ADMIN.password,
      BACKGROUND_TICK_MS: '200',
      JOB_LEASE_SECONDS: '2',
      LOG_LEVEL: 'warn',
      ...options.env,
      ...(options.crashPoint ? { CRASH_POINT: options.crashPoint } : {}),
    },
  });
  const api = request(running.url);
  const login = await api.post('/api/v1/auth/login').send(PROCESS_ADMIN).expect(200);
  return { running, api, auth: { Authorization: `Bearer ${login.body.accessToken}` } };
}
