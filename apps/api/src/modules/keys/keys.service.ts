import { Inject, Injectable } from '@nestjs/common';
import { AccessView, ErrorCode, EventType, KeyNodeView, KeyView } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import type { IdempotentRequest } from '../../common/http/idempotency-key';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { mapAccess } from '../users/user.mapper';
import { AccessPatchDto } from '../access/access.dto';
import { AccessService } from '../access/access.service';
import { servesTraffic } from '../users/access-status';
import { Assignment } from '../assignments/assignment.entity';
import { AssignmentsService } from '../assignments/assignments.service';
import { MoveEngine } from '../assignments/move-engine.service';
import { shareLinkFor } from '../assignments/panel-identity';
import { PlacementService } from '../assignments/placement.service';
import { NodeEntity } from '../nodes/node.entity';
import { canServe } from '../nodes/node-eligibility';
import { GroupsService } from '../groups/groups.service';
import { NodesService } from '../nodes/nodes.service';
import { mapIdentity } from '../users/user.mapper';
import { UsersService } from '../users/users.service';
import { VpnUser } from '../users/vpn-user.entity';
import { SubscriptionNode, SubscriptionRepository } from './subscription.repository';

/** How long a request waits for another replica's placement of the same user before giving up. */
const WAIT_FOR_OTHER_PLACEMENT_MS = 20_000;
const POLL_MS = 50;

/** What the bot calls: get-or-create, read, refresh and locate a user's key. */
@Injectable()
export class KeysService {
  /** One placement per telegram id in this process; concurrent callers share it. */
  private readonly inFlight = new Map<number, Promise<KeyView>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly assignments: AssignmentsService,
    private readonly nodes: NodesService,
    private readonly placement: PlacementService,
    private readonly engine: MoveEngine,
    private readonly subscriptions: SubscriptionRepository,
    private readonly access: AccessService,
    private readonly groups: GroupsService,
  ) {}

  /** `created` is true for the one call that made the user's key. */
  async getOrCreate(
    telegramId: number,
    request: { username?: string; location?: string },
  ): Promise<{ key: KeyView; created: boolean }> {
    const running = this.inFlight.get(telegramId);
    if (running) return { key: await running, created: false };
    let created = false;
    const work = (async () => {
      const { user, created: newUser } = await this.users.upsertBotUser(telegramId, request.username ?? null);
      const deadline = Date.now() + WAIT_FOR_OTHER_PLACEMENT_MS;
      for (let first = true; ; first = false) {
        const { active, pending } =
          newUser && first ? { active: null, pending: null } : await this.assignments.live(user.id);
        if (active) return this.view(user, active);
        if (!pending) {
          try {
            const announce = newUser
              ? { type: EventType.UserCreated, actor: 'bot', userId: user.id, payload: { telegramId } }
              : undefined;
            const placed = await this.placement.place(user.id, { location: request.location, announce });
            created = !placed.existing;
            return this.view(user, placed.assignment, placed.node);
          } catch (error) {
            if (!(error instanceof DomainError && error.code === ErrorCode.MoveInProgress)) throw error;
          }
        }
        // Another replica is placing this user: wait for its result.
        if (Date.now() > deadline)
          throw new DomainError(ErrorCode.MoveInProgress, 'placement still in progress, retry');
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    })().finally(() => this.inFlight.delete(telegramId));
    this.inFlight.set(telegramId, work);
    const key = await work;
    return { key, created };
  }

  async get(telegramId: number): Promise<KeyView> {
    const { user, active } = await this.requireActive(telegramId);
    return this.view(user, active);
  }

  /** Re-issues the key; moves the user first when the node is unhealthy, not active or over capacity. */
  async refresh(telegramId: number): Promise<KeyView> {
    const { user, active } = await this.requireActive(telegramId);
    const node = await this.nodes.findById(active.nodeId);
    if (node && servesWell(node)) return this.view(user, active);
    const moved = await this.engine.move(user.id, { reason: 'refresh', actor: 'bot' });
    return this.view(user, moved.assignment, moved.node);
  }

  /** Changes the user's access; the key body answers what is stored now. */
  async updateAccess(telegramId: number, patch: AccessPatchDto): Promise<KeyView> {
    const { user, active } = await this.requireActive(telegramId);
    return this.view(await this.access.update(user.id, patch, 'bot'), active);
  }

  async extend(
    telegramId: number,
    days: number,
    idempotent: IdempotentRequest | null,
  ): Promise<{ key: KeyView; replayed: boolean }> {
    const { user, active } = await this.requireActive(telegramId);
    const extended = await this.access.extend(user.id, days, idempotent, 'bot');
    return {
      key: { ...(await this.view(extended.user, active)), access: extended.access },
      replayed: extended.replayed,
    };
  }

  async resetTraffic(telegramId: number): Promise<KeyView> {
    const { user, active } = await this.requireActive(telegramId);
    return this.view(await this.access.resetTraffic(user.id, 'bot'), active);
  }

  async rotate(telegramId: number): Promise<KeyView> {
    const { user, active } = await this.requireActive(telegramId);
    return this.view(await this.access.rotate(user.id, 'bot'), active);
  }

  async remove(telegramId: number): Promise<void> {
    const user = await this.users.findByTelegramId(telegramId);
    if (!user) throw new DomainError(ErrorCode.UserNotFound, `no key for telegram id ${telegramId}`);
    await this.access.remove(user.id, 'bot');
  }

  async nodeOf(telegramId: number): Promise<KeyNodeView> {
    const key = await this.get(telegramId);
    return { node: key.node, assignedAt: key.assignedAt };
  }

  /**
   * Share links for the subscription. A user whose node cannot serve is moved first (or waits briefly for the move a
   * failover is already making); when no node can take them the list is empty, never a dead link.
   */
  async subscription(token: string): Promise<{ links: string[]; access: AccessView; uploadBytes: number } | null> {
    const first = await this.subscriptions.byToken(token); // one query, the usual and only one
    if (!first) return null;
    const { user } = first;
    const found = { access: mapAccess(user), uploadBytes: user.usedUpBytes };
    const { access } = found;
    // A user who may not use the service gets no link, but the headers say why (expiry, limit).
    if (!servesTraffic(access.status)) return { links: [], ...found };
    for (let attempt = 0; attempt < 5; attempt++) {
      const node = attempt === 0 ? first.node : (await this.subscriptions.byToken(token))?.node;
      if (!node) return { links: [], ...found };
      if (servesWell(node)) {
        const link = shareLinkFor(mapIdentity(user), node);
        return { links: link ? [link] : [], ...found };
      }
      try {
        await this.engine.move(user.id, { reason: 'refresh', actor: 'subscription' });
      } catch (error) {
        if (!(error instanceof DomainError && error.code === ErrorCode.MoveInProgress)) return { links: [], ...found };
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    return { links: [], ...found };
  }

  private async requireActive(telegramId: number): Promise<{ user: VpnUser; active: Assignment }> {
    const user = await this.users.findByTelegramId(telegramId);
    const active = user ? (await this.assignments.live(user.id)).active : null;
    if (!user || !active) throw new DomainError(ErrorCode.UserNotFound, `no key for telegram id ${telegramId}`);
    return { user, active };
  }

  private async view(user: VpnUser, assignment: Assignment, known?: NodeEntity): Promise<KeyView> {
    const node = known ?? (await this.nodes.findById(assignment.nodeId));
    if (!node) throw new DomainError(ErrorCode.NodeNotFound, `node ${assignment.nodeId} not found`);
    const group = await this.groups.require(node.groupId);
    const seat = {
      group: { id: group.id, name: group.name, countryCode: group.countryCode },
      node: { id: node.id, name: node.name, location: node.location },
      key: shareLinkFor(mapIdentity(user), node) ?? '',
      assignedAt: assignment.assignedAt.toISOString(),
    };
    return {
      telegramId: user.telegramId ?? 0,
      userId: user.id,
      key: seat.key,
      subscriptionUrl: `${this.config.publicUrl}/sub/${user.subscriptionToken}`,
      node: seat.node,
      assignedAt: seat.assignedAt,
      keys: [seat],
      access: mapAccess(user),
    };
  }
}

/** A node keeps its users while it is active, healthy and not over capacity (full is fine). */
function servesWell(node: SubscriptionNode): boolean {
  return canServe({ ...node, inboundRead: node.inboundSnapshot !== null });
}
