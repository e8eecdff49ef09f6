import { AccessView, UserEventData } from '@fleet/contract';
import { VpnUser } from '../users/vpn-user.entity';
import { Access, accessStatus } from './access-status';

/** What a user may use, as the status rule and panel clients read it. */
export function accessOf(user: Pick<VpnUser, keyof Access>): Access {
  return {
    enabled: user.enabled,
    expiresAt: user.expiresAt,
    holdDays: user.holdDays,
    trafficLimitBytes: user.trafficLimitBytes,
    usedBytes: user.usedBytes,
    deviceLimit: user.deviceLimit,
  };
}

/** The access part of key and user bodies. */
export function mapAccess(user: VpnUser, now = new Date()): AccessView {
  return {
    status: accessStatus(accessOf(user), now),
    enabled: user.enabled,
    expiresAt: user.expiresAt?.toISOString() ?? null,
    holdDays: user.holdDays,
    trafficLimitBytes: user.trafficLimitBytes,
    trafficReset: user.trafficReset,
    periodStart: user.periodStart?.toISOString() ?? null,
    nextResetAt: user.nextResetAt?.toISOString() ?? null,
    usedBytes: user.usedBytes,
    deviceLimit: user.deviceLimit,
    note: user.note,
  };
}

/** The `data` of a user webhook: the user as it stands, with `status` (the derived one, or `deleted`). */
export function mapUserEvent(user: VpnUser, status: UserEventData['status'] = user.status): UserEventData {
  return {
    telegramId: user.telegramId,
    userId: user.id,
    status,
    expiresAt: user.expiresAt?.toISOString() ?? null,
    usedBytes: user.usedBytes,
    trafficLimitBytes: user.trafficLimitBytes,
  };
}
