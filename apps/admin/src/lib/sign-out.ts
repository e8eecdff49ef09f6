import { call, fleet } from './api-client';
import { session } from './session';

/** Ends every session of this admin (every browser's), this one included. */
export async function signOutEverywhere(): Promise<void> {
  await call(fleet.POST('/api/v1/auth/logout-all')).catch(() => undefined);
  session.clear();
}
