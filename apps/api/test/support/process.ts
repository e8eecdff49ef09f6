import { resolve } from 'node:path';
import request from 'supertest';
import { PanelSimulator } from '@fleet/panel-sim';
import { nodeBody } from './test-app';
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

/** Adds each panel as a node (`name-<i>`, inbound 1, `fields` on top) and checks it once; answers the node ids. */
export async function addPanelsAsNodes(
  api: ReturnType<typeof request>,
  auth: Record<string, string>,
  panels: PanelSimulator[],
  name: string,
  fields: Record<string, unknown> = {},
): Promise<number[]> {
  const ids: number[] = [];
  for (const [i, panel] of panels.entries()) {
    const { body } = await api
      .post('/api/v1/nodes')
      .set(auth)
      .send(
        nodeBody({
          name: `${name}-${i}`,
          panelUrl: panel.url,
          panelUsername: panel.username,
          panelPassword: panel.password,
          inboundId: 1,
          ...fields,
        }),
      )
      .expect(201);
    await api.post(`/api/v1/nodes/${body.id}/check-health`).set(auth).expect(200);
    ids.push(body.id);
  }
  return ids;
}
