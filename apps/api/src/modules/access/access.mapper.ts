import { AccessView } from '@fleet/contract';
import { accessOf } from '../users/users.repository';
import { VpnUser } from '../users/vpn-user.entity';
import { accessStatus } from './access-status';

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
