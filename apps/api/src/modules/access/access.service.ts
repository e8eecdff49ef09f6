import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AccessStatus, AccessView, ErrorCode, EventType } from '@fleet/contract';
import { retryOnDeadlock } from '../../common/database/advisory-lock';
import { DomainError } from '../../common/errors/domain-error';
import { LATEST_INSTANT } from '../../common/http/date-input';
import { IdempotentRequest, reuseProblem } from '../../common/http/idempotency-key';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import type { EventInput } from '../events/events.types';
import { EventsService } from '../events/events.service';
import { MoveEngine } from '../assignments/move-engine.service';
import type { Leaving } from '../assignments/move.types';
import { PlacementService } from '../assignments/placement.service';
import { SeatWaitsService } from '../assignments/seat-waits.service';
import { GroupsService } from '../groups/groups.service';
import { newSubscriptionToken } from '../users/subscription-token';
import { UsersService } from '../users/users.service';
import { VpnUser } from '../users/vpn-user.entity';
import { AccessPatchDto, RotateScope } from './access.dto';
import { accessOf, mapAccess } from '../users/user.mapper';
import { mapUserEvent } from './access.mapper';
import { AccessSyncService } from './access-sync.service';
import { EarlierRequest, IdempotencyRepository } from './idempotency.repository';
import { applyAccessPatch } from './access-patch';
import { nextResetAt } from './traffic-period';
import { accessStatus, servesTraffic } from '../users/access-status';

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
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly events: EventsService,
    private readonly sync: AccessSyncService,
    private readonly idempotency: IdempotencyRepository,
    private readonly engine: MoveEngine,
    private readonly groups: GroupsService,
    private readonly placement: PlacementService,
    private readonly seatWaits: SeatWaitsService,
  ) {}

  /**
   * Applies a PATCH; answers the user as stored. The panels are written before this returns when they answer. A
   * change of `groups` releases the seats of groups the plan dropped and places one in each group it added (a group
   * without room leaves that seat waiting, not the request failed).
   */
  async update(userId: number, patch: AccessPatchDto, actor: string): Promise<VpnUser> {
    const planGroups = await this.checkedPlan(patch);
    const followed: { leaving: Leaving | null } = { leaving: null };
    const seatsFollow = planGroups && {
      // Before the user's row, as a deletion does: reservation batches hold this lock and then read plans.
      before: async (manager: EntityManager) => {
        await this.engine.holdReservations(manager);
        return true;
      },
      after: async (user: VpnUser, manager: EntityManager) => {
        followed.leaving = await this.placement.followPlan(user, manager);
      },
    };
    const user = await this.change(
      userId,
      actor,
      EventType.UserAccessChanged,
      (user, set) => applyAccessPatch(user, patch, planGroups, set, this.config.accessTimezone),
      seatsFollow || {},
    );
    if (followed.leaving) {
      await followed.leaving.carryOut();
      await this.seatWaits.placeFor(userId);
    }
    return user;
  }

  /**
   * A new user's plan as the fields to create them with (a `PUT` that brings one): a user never exists without the
   * plan the bot meant, and their first panel clients carry it. Unnamed fields keep the columns' defaults.
   */
  async initialAccess(plan: AccessPatchDto): Promise<Partial<VpnUser>> {
    const planGroups = await this.checkedPlan(plan, 'plan.');
    const draft = Object.assign(new VpnUser(), NEW_USER_ACCESS);
    const fields: Partial<VpnUser> = {};
    applyAccessPatch(
      draft,
      plan,
      planGroups,
      (field, value) => {
        draft[field] = value;
        fields[field] = value;
      },
      this.config.accessTimezone,
    );
    return { ...fields, status: accessStatus(accessOf(draft), new Date()) };
  }

  /** The patch's groups resolved to ids, once its fields are known to agree; a 400 names the field (`prefix`). */
  private async checkedPlan(patch: AccessPatchDto, prefix = ''): Promise<number[] | undefined> {
    if (patch.holdDays != null && patch.expiresAt != null) {
      throw new DomainError(ErrorCode.ValidationFailed, [
        `${prefix}expiresAt and ${prefix}holdDays cannot both be set: a held plan gets its expiry at first use`,
      ]);
    }
    return patch.groups === undefined ? undefined : this.groups.resolvePlan(patch.groups, `${prefix}groups`);
  }

  /**
   * Adds `days` to max(expiresAt, now) (a plan on hold gets the days on its hold instead). With an idempotency key,
   * the same request with the same key within 24 h answers the first call's access and extends once, also under
   * concurrent calls; the key reused for another request (body, route, caller) is 422.
   */
  async extend(
    userId: number,
    days: number,
    idempotent: IdempotentRequest | null,
    actor: string,
  ): Promise<ExtendResult> {
    const repeat: { of: EarlierRequest | null } = { of: null };
    const user = await this.change(
      userId,
      actor,
      EventType.UserExtended,
      (user, set) => {
        if (user.holdDays !== null && user.expiresAt === null) {
          set('holdDays', Math.min(3650, user.holdDays + days));
          return;
        }
        const until = Math.max(user.expiresAt?.getTime() ?? 0, Date.now()) + days * DAY_MS;
        if (until > LATEST_INSTANT) {
          throw new DomainError(ErrorCode.ValidationFailed, [
            `days would move expiresAt past ${new Date(LATEST_INSTANT).toISOString()}`,
          ]);
        }
        set('expiresAt', new Date(until));
      },
      {
        before: async (manager) => {
          if (idempotent === null) return true;
          repeat.of = await this.idempotency.claim(idempotent, manager);
          if (repeat.of === null) return true;
          const problem = reuseProblem(repeat.of, idempotent);
          if (problem) throw new DomainError(ErrorCode.IdempotencyKeyReused, problem);
          return false;
        },
        after: async (stored, manager) => {
          if (idempotent !== null) await this.idempotency.remember(idempotent.key, mapAccess(stored), manager);
        },
      },
    );
    if (repeat.of === null) return { user, access: mapAccess(user), replayed: false };
    return { user, access: (repeat.of.response as AccessView | null) ?? mapAccess(user), replayed: true };
  }

  /** A new traffic period starts now; a `limited` user is `active` again. */
  resetTraffic(userId: number, actor: string): Promise<VpnUser> {
    return this.change(userId, actor, EventType.UserTrafficReset, (user, set) => {
      const now = new Date();
      set('usedBytes', 0);
      set('usedUpBytes', 0);
      set('periodStart', now);
      set('nextResetAt', nextResetAt(user.trafficReset, now, this.config.accessTimezone));
    });
  }

  /** The traffic period ended (the access pass): a new one starts where it ended. */
  periodEnded(userId: number): Promise<VpnUser> {
    return this.change(userId, 'system:access', EventType.UserTrafficReset, (user, set) => {
      if (!user.nextResetAt || user.nextResetAt.getTime() > Date.now()) return;
      let start = user.nextResetAt;
      let next = nextResetAt(user.trafficReset, start, this.config.accessTimezone);
      // A pass that was off for several periods starts the current one, not every missed one.
      while (next && next.getTime() <= Date.now()) {
        start = next;
        next = nextResetAt(user.trafficReset, start, this.config.accessTimezone);
      }
      set('usedBytes', 0);
      set('usedUpBytes', 0);
      set('periodStart', start);
      set('nextResetAt', next);
    });
  }

  /**
   * A new client UUID (the key) and, for `all`, a new subscription token: the user's panel clients are rewritten in
   * place (their `updateClient` swaps the key atomically), so the old key stops and the new one works at the same
   * moment; with `all` the old subscription URL answers 404, with `key` it serves the new key.
   */
  rotate(userId: number, actor: string, scope: RotateScope = 'all'): Promise<VpnUser> {
    return this.change(userId, actor, EventType.UserRotated, (_user, set) => {
      set('uuid', randomUUID());
      if (scope === 'all') set('subscriptionToken', newSubscriptionToken());
    });
  }

  /**
   * Revokes the user: the seat is released and the client leaves its panel (a tombstone where the panel does not
   * answer), a placement or move under way is cancelled at once (its mover finds it gone), the telegram id is freed (a
   * later PUT creates a new user) and the subscription answers 404. The row stays, for the history.
   */
  async remove(userId: number, actor: string): Promise<void> {
    const leaving = await retryOnDeadlock(() =>
      this.dataSource.transaction(async (manager) => {
        // Before the user's row: a reservation batch holds this lock and then touches users' rows.
        await this.engine.holdReservations(manager);
        const user = await this.users.lockForUpdate(userId, manager);
        if (!user || user.deletedAt) throw new DomainError(ErrorCode.UserNotFound, `user ${userId} not found`);
        const payload = mapUserEvent(user, 'deleted');
        await this.users.markDeleted(userId, newSubscriptionToken(), manager);
        const leaving = await this.engine.leaveEveryNode(user, manager);
        await this.events.recordMany([{ type: EventType.UserDeleted, actor, userId, payload }], manager);
        return leaving;
      }),
    );
    await leaving.carryOut();
  }

  /** Time or traffic changed the user's status (an expiry passed, a quota spent): stored, announced once, written to
   * the panel. */
  recheck(userId: number): Promise<VpnUser> {
    return this.change(userId, 'system:access', null, () => undefined);
  }

  /** Rechecks the users the usage ledger noted at their limit; answers how many. */
  async recheckNoted(limit: number): Promise<number> {
    const noted = await this.users.notedForRecheck(limit);
    for (const userId of noted) {
      await this.recheck(userId).catch((error: unknown) => {
        if (!(error instanceof DomainError && error.code === ErrorCode.UserNotFound)) throw error;
      });
      await this.users.clearRecheck(userId);
    }
    return noted.length;
  }

  /**
   * A held plan started: the panel turned the client's negative expiry into an absolute one at first traffic, which
   * is when the plan began. The plan now ends there; `user.first_connected`, once (the status leaves on_hold).
   */
  firstUse(userId: number, expiresAt: Date): Promise<VpnUser> {
    return this.change(userId, 'system:access', EventType.UserFirstConnected, (user, set) => {
      if (user.holdDays === null || user.expiresAt !== null) return;
      set('expiresAt', expiresAt);
    });
  }

  /** `user.expiring`, once per expiry. */
  async warnExpiring(userId: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const user = await this.users.lockForUpdate(userId, manager);
      if (!user || user.deletedAt || !user.expiresAt) return;
      if (user.expiryWarnedFor && +user.expiryWarnedFor === +user.expiresAt) return;
      user.expiryWarnedFor = user.expiresAt;
      await this.users.saveAccess(user, manager);
      await this.events.recordMany(
        [
          {
            type: EventType.UserExpiring,
            actor: 'system:access',
            userId,
            payload: mapUserEvent(user),
          },
        ],
        manager,
      );
    });
  }

  /**
   * One change of a user's access, in one transaction: the row locked, `edit` applied through `set` (which notes
   * what changed), a new access version, an event naming the changes and one for the status transition, if any.
   * Then the user's panel client is rewritten (or left behind, to be caught up).
   */
  private async change(
    userId: number,
    actor: string,
    /** The event recording the change; null for a status that time changed (only the transition is announced). */
    eventType: string | null,
    edit: (user: VpnUser, set: <K extends keyof VpnUser>(field: K, value: VpnUser[K]) => void) => void,
    hooks: {
      before?: (manager: EntityManager) => Promise<boolean>;
      after?: (user: VpnUser, manager: EntityManager) => Promise<void>;
    } = {},
  ): Promise<VpnUser> {
    const user = await this.dataSource.transaction(async (manager) => {
      const proceed = hooks.before ? await hooks.before(manager) : true;
      const user = await this.users.lockForUpdate(userId, manager);
      if (!user || user.deletedAt) throw new DomainError(ErrorCode.UserNotFound, `user ${userId} not found`);
      if (!proceed) return user;
      const now = new Date();
      const changed: string[] = [];
      edit(user, (field, value) => {
        const current = user[field];
        const same =
          value instanceof Date && current instanceof Date
            ? +value === +current
            : Array.isArray(value) && Array.isArray(current)
              ? value.join() === current.join()
              : (current as unknown) === value;
        if (same) return;
        user[field] = value;
        changed.push(field);
      });
      const after = accessStatus(accessOf(user), now);
      // Transitions are taken from the stored status, so each fires once, whoever notices it first.
      const transition = transitionEvent(user.status as AccessStatus, after);
      if (!changed.length && !transition) return user;
      user.status = after;
      user.accessVersion += 1;
      await this.users.saveAccess(user, manager);
      const payload = mapUserEvent(user, after);
      const secret = new Set(['uuid', 'subscriptionToken']);
      const events: EventInput[] = [];
      if (eventType !== null) {
        events.push({
          type: eventType,
          actor,
          userId: user.id,
          payload: {
            ...payload,
            changed: changed
              .filter((field) => !secret.has(field))
              .map((field) => (field === 'planGroups' ? 'groups' : field)),
          },
        });
      }
      if (transition) events.push({ type: transition, actor, userId: user.id, payload });
      await this.events.recordMany(events, manager);
      await hooks.after?.(user, manager);
      return user;
    });
    await this.sync.push(user.id);
    return user;
  }
}

export interface ExtendResult {
  user: VpnUser;
  /** The first call's access when the same request came with this key before. */
  access: AccessView;
  /** True when this is a repeat answered from the first call (`Idempotent-Replayed: true`). */
  replayed: boolean;
}

const DAY_MS = 86_400_000;

/** What a user is created with when their plan does not say otherwise (the columns' defaults). */
const NEW_USER_ACCESS: Partial<VpnUser> = {
  enabled: true,
  expiresAt: null,
  holdDays: null,
  trafficLimitBytes: 0,
  trafficReset: 'none',
  deviceLimit: 0,
  note: null,
  usedBytes: 0,
  periodStart: null,
  nextResetAt: null,
};
