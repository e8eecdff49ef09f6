import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccessStatus, ErrorCode, EventType } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import type { EventInput } from '../events/events.service';
import { EventsService } from '../events/events.service';
import { accessOf, UsersRepository } from '../users/users.repository';
import { VpnUser } from '../users/vpn-user.entity';
import { AccessPatchDto } from './access.dto';
import { AccessSyncService } from './access-sync.service';
import { accessStatus, servesTraffic } from './access-status';

/** The event a status change announces (webhooks), if any. */
function transitionEvent(from: AccessStatus, to: AccessStatus): string | null {
  if (from === to) return null;
  if (to === 'disabled') return EventType.UserDisabled;
  if (to === 'expired') return EventType.UserExpired;
  if (to === 'limited') return EventType.UserLimited;
  return servesTraffic(to) && !servesTraffic(from) ? EventType.UserEnabled : null;
}

/** Changes to what users may use: stored first (with a new version), then written to their panel. */
@Injectable()
export class AccessService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly events: EventsService,
    private readonly sync: AccessSyncService,
  ) {}

  /** Applies a PATCH; answers the user as stored. The panel is written before this returns when it answers. */
  async update(userId: number, patch: AccessPatchDto, actor: string): Promise<VpnUser> {
    if (patch.holdDays != null && patch.expiresAt != null) {
      throw new DomainError(ErrorCode.ValidationFailed, [
        'expiresAt and holdDays cannot both be set: a held plan gets its expiry at first use',
      ]);
    }
    const user = await this.dataSource.transaction(async (manager) => {
      const user = await this.users.findForUpdate(userId, manager);
      if (!user) throw new DomainError(ErrorCode.UserNotFound, `user ${userId} not found`);
      const now = new Date();
      const before = accessStatus(accessOf(user), now);
      const changed: string[] = [];
      const set = <K extends keyof VpnUser>(field: K, value: VpnUser[K]) => {
        const same =
          value instanceof Date
            ? user[field] instanceof Date && +value === +(user[field] as Date)
            : user[field] === value;
        if (same) return;
        user[field] = value;
        changed.push(field);
      };
      if (patch.expiresAt !== undefined) set('expiresAt', patch.expiresAt === null ? null : new Date(patch.expiresAt));
      if (patch.holdDays !== undefined) {
        set('holdDays', patch.holdDays);
        if (patch.holdDays !== null) set('expiresAt', null); // starts again on first use
      }
      if (patch.trafficLimitBytes !== undefined) set('trafficLimitBytes', String(patch.trafficLimitBytes));
      if (patch.trafficReset !== undefined) set('trafficReset', patch.trafficReset);
      if (patch.deviceLimit !== undefined) set('deviceLimit', patch.deviceLimit);
      if (patch.enabled !== undefined) set('enabled', patch.enabled);
      if (patch.note !== undefined) set('note', patch.note);
      if (!changed.length) return user;
      user.accessVersion += 1;
      await this.users.saveAccess(user, manager);
      const after = accessStatus(accessOf(user), now);
      const payload = {
        telegramId: user.telegramId === null ? null : Number(user.telegramId),
        userId: user.id,
        status: after,
        expiresAt: user.expiresAt?.toISOString() ?? null,
        usedBytes: Number(user.usedBytes),
        trafficLimitBytes: Number(user.trafficLimitBytes),
      };
      const events: EventInput[] = [
        { type: EventType.UserAccessChanged, actor, userId: user.id, payload: { ...payload, changed } },
      ];
      const transition = transitionEvent(before, after);
      if (transition) events.push({ type: transition, actor, userId: user.id, payload });
      await this.events.recordMany(events, manager);
      return user;
    });
    await this.sync.push(user.id);
    return user;
  }
}
