import { resolve } from 'node:path';
import { BuiltControlPlane, exited, freePort, startBuiltControlPlane } from '@fleet/testing';

export const MAIN = resolve(__dirname, '../../../../dist/apps/api/main.js');
export { freePort };
export type Started = BuiltControlPlane;

/** Runs the built control plane as `npm start` does (output kept for the assertions) until /readyz answers. */
export function startBuiltApp(options: { cwd: string; port: number; env: Record<string, string> }): Promise<Started> {
  return startBuiltControlPlane({ main: MAIN, ...options });
}

export const stopped = exited;
