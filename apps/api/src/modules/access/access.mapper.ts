import { UserEventData } from '@fleet/contract';
import { VpnUser } from '../users/vpn-user.entity';

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
