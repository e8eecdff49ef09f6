import type { AccessPatchDto } from './access.dto';
import { nextResetAt } from './traffic-period';
import type { VpnUser } from '../users/vpn-user.entity';

/** Stores one field (noting what changed, for the caller's event). */
export type AccessSetter = <K extends keyof VpnUser>(field: K, value: VpnUser[K]) => void;

/**
 * The plan fields a PATCH (or a new user's plan) names, applied to `user` through `set`: a hold clears the expiry (the
 * plan starts again on first use); a traffic reset starts the period now unless one runs. `planGroups`: the patch's
 * `groups` resolved to ids.
 */
export function applyAccessPatch(
  user: VpnUser,
  patch: AccessPatchDto,
  planGroups: number[] | undefined,
  set: AccessSetter,
  timezone: string,
): void {
  if (planGroups) set('planGroups', planGroups);
  if (patch.expiresAt !== undefined) set('expiresAt', patch.expiresAt);
  if (patch.holdDays !== undefined) {
    set('holdDays', patch.holdDays);
    if (patch.holdDays !== null) set('expiresAt', null);
  }
  if (patch.trafficLimitBytes !== undefined) set('trafficLimitBytes', patch.trafficLimitBytes);
  if (patch.trafficReset !== undefined) {
    set('trafficReset', patch.trafficReset);
    const start = user.periodStart ?? new Date();
    set('periodStart', start);
    set('nextResetAt', nextResetAt(patch.trafficReset, start, timezone));
  }
  if (patch.deviceLimit !== undefined) set('deviceLimit', patch.deviceLimit);
  if (patch.enabled !== undefined) set('enabled', patch.enabled);
  if (patch.note !== undefined) set('note', patch.note);
}
