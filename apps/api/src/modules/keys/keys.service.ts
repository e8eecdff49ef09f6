import { Inject, Injectable } from '@nestjs/common';
import {
  AccessView,
  ErrorCode,
  EventType,
  KeyNodeView,
  KeySeatView,
  KeyView,
  Page,
  UserKeysView,
} from '@fleet/contract';
import { groupBy } from '../../common/collections/group-by';
import { DomainError } from '../../common/errors/domain-error';
import type { IdempotentRequest } from '../../common/http/idempotency-key';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { mapAccess } from '../users/user.mapper';
import { AccessPatchDto, RotateScope } from '../access/access.dto';
import { AccessService } from '../access/access.service';
import { servesTraffic } from '../users/access-status';
import { Assignment } from '../assignments/assignment.entity';
import { AssignmentsService } from '../assignments/assignments.service';
import { MoveEngine } from '../assignments/move-engine.service';
import { serverFor, shareLinkFor } from '../assignments/panel-identity';
import { remarkOf } from './formats/remark';
import type { SubscriptionServer } from './formats/subscription-server';
import { PlacementService } from '../assignments/placement.service';
import { NodeEntity } from '../nodes/node.entity';
import { weightedLoadStrategy } from '../balancer/balancer.policy';
import { canServe } from '../nodes/node-eligibility';
import { GroupsService } from '../groups/groups.service';
import { NodesService } from '../nodes/nodes.service';
import { mapIdentity } from '../users/user.mapper';
import { UsersService } from '../users/users.service';
import { VpnUser } from '../users/vpn-user.entity';
import { SubscriptionNode, SubscriptionRepository, SubscriptionSeat } from './subscription.repository';

/** How long a request waits for another replica's placement of the same user before giving up. */
const WAIT_FOR_OTHER_PLACEMENT_MS = 20_000;
const POLL_MS = 50;

/** What `GET /sub/:token` renders, in whichever format: the user's serving servers in group order and their access. */
export interface SubscriptionView {
  userId: number;
  telegramId: number | null;
  servers: SubscriptionServer[];
  access: AccessView;
  /** Upload of the current period (`subscription-userinfo`). */
  uploadBytes: number;
  subscriptionUrl: string;
}

/** What the bot calls: get-or-create, read, refresh and locate a user's servers (one seat per group of the plan). */
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

  /**
   * The user's servers, a seat placed in each group of the plan that has none (a group without room leaves that seat
   * out, and a later call tries again). `created` is true for the one call that placed seats; `planApplied`, when a
   * plan came, whether this call created the user with it.
   */
  async getOrCreate(
    telegramId: number,
    request: { username?: string; location?: string; plan?: AccessPatchDto },
  ): Promise<{ key: KeyView; created: boolean; planApplied: boolean }> {
    const access = request.plan ? await this.access.initialAccess(request.plan) : {};
    const running = this.inFlight.get(telegramId);
    if (running) return { key: await running, created: false, planApplied: false };
    let created = false;
    let planApplied = false;
    const work = (async () => {
      const { user, created: newUser } = await this.users.upsertBotUser(telegramId, request.username ?? null, access);
      planApplied = newUser && request.plan !== undefined;
      if (!user.planGroups.length) throw new DomainError(ErrorCode.NoCapacity, 'the user’s plan names no group');
      const deadline = Date.now() + WAIT_FOR_OTHER_PLACEMENT_MS;
      for (let first = true; ; first = false) {
        const live = newUser && first ? [] : await this.assignments.liveOf([user.id]);
        const active = live.filter((row) => row.state === 'active');
        const unseated = user.planGroups.filter((groupId) => !live.some((row) => row.groupId === groupId));
        const settled = !live.some((row) => row.state === 'pending');
        if (!unseated.length && settled) return this.view(user, active);
        if (unseated.length) {
          try {
            const announce = newUser
              ? { type: EventType.UserCreated, actor: 'bot', userId: user.id, payload: { telegramId } }
              : undefined;
            const placed = await this.placement.place(user.id, unseated, { location: request.location, announce });
            created = placed.seats.some((seat) => !seat.existing);
            const known = placed.seats.flatMap((seat) => (seat.node ? [seat.node] : []));
            if (settled) return this.view(user, [...active, ...placed.seats.map((seat) => seat.assignment)], known);
          } catch (error) {
            if (!(error instanceof DomainError && error.code === ErrorCode.MoveInProgress)) throw error;
          }
        }
        // Another replica is placing a seat of this user: wait for its result.
        if (Date.now() > deadline)
          throw new DomainError(ErrorCode.MoveInProgress, 'placement still in progress, retry');
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    })().finally(() => this.inFlight.delete(telegramId));
    this.inFlight.set(telegramId, work);
    const key = await work;
    return { key, created, planApplied };
  }

  /**
   * The keys of the bot's users with this username (exact, case-insensitive; Telegram names are unique, but a name
   * freed and taken again may stand on two users), one page; a user holding no server (none could be placed) is left
   * out of the items, though counted in `total`.
   */
  async byUsername(username: string, page: number, limit: number): Promise<Page<KeyView>> {
    const { users, total } = await this.users.byUsername(username, page, limit);
    const seats = groupBy(
      (await this.assignments.liveOf(users.map((user) => user.id))).filter((row) => row.state === 'active'),
      (row) => row.userId,
    );
    const items = await Promise.all(
      users.filter((user) => seats.has(user.id)).map((user) => this.view(user, seats.get(user.id))),
    );
    return { items, total, page, limit };
  }

  /** The id of the (not deleted) user with this telegram id. */
  async userIdOf(telegramId: number): Promise<number> {
    const user = await this.users.findByTelegramId(telegramId);
    if (!user) throw new DomainError(ErrorCode.UserNotFound, `no user with telegram id ${telegramId}`);
    return user.id;
  }

  async get(telegramId: number): Promise<KeyView> {
    const { user, seats } = await this.requireSeats(telegramId);
    return this.view(user, seats);
  }

  /** Re-issues the keys; moves each seat first whose node is unhealthy, not active or over capacity. */
  async refresh(telegramId: number): Promise<KeyView> {
    const { user, seats } = await this.requireSeats(telegramId);
    const nodes = await this.nodes.findByIds(seats.map((seat) => seat.nodeId));
    const broken = nodes.filter((node) => !servesWell(node));
    if (!broken.length) return this.view(user, seats, nodes);
    await Promise.all(
      broken.map((node) => this.engine.move(user.id, { fromNodeId: node.id, reason: 'refresh', actor: 'bot' })),
    );
    return this.view(user);
  }

  /**
   * Moves one server of the user (the one in `groupId`, or the only one) to the best node in `location` of its group;
   * nothing when it is there already.
   */
  async relocate(telegramId: number, { location, groupId }: { location: string; groupId?: number }): Promise<KeyView> {
    const { user, seats } = await this.requireSeats(telegramId);
    const seat =
      groupId === undefined ? (seats.length === 1 ? seats[0] : null) : seats.find((s) => s.groupId === groupId);
    if (!seat) {
      throw new DomainError(ErrorCode.ValidationFailed, [
        groupId === undefined
          ? `groupId: the user holds ${seats.length} servers; name the group whose server moves`
          : `groupId: the user holds no server in group ${groupId}`,
      ]);
    }
    const nodes = await this.nodes.loadFacts();
    const there = (node: { location: string | null }) => node.location?.toLowerCase() === location.toLowerCase();
    if (nodes.some((node) => node.id === seat.nodeId && there(node))) return this.view(user, seats);
    const pool = nodes.filter((node) => node.groupId === seat.groupId && there(node));
    const target = weightedLoadStrategy.best(pool, { exclude: new Set(seats.map((s) => s.nodeId)) });
    if (!target) {
      throw new DomainError(
        ErrorCode.NodeNotEligible,
        `location: no node in ${location} of the server's group can take the user now`,
      );
    }
    await this.engine.move(user.id, {
      fromNodeId: seat.nodeId,
      targetNodeId: target.id,
      reason: 'relocate',
      actor: 'bot',
    });
    return this.view(user);
  }

  /** Changes the user's access; the key body answers what is stored now. */
  async updateAccess(telegramId: number, patch: AccessPatchDto): Promise<KeyView> {
    const { user } = await this.requireSeats(telegramId);
    return this.view(await this.access.update(user.id, patch, 'bot'));
  }

  async extend(
    telegramId: number,
    days: number,
    idempotent: IdempotentRequest | null,
  ): Promise<{ key: KeyView; replayed: boolean }> {
    const { user, seats } = await this.requireSeats(telegramId);
    const extended = await this.access.extend(user.id, days, idempotent, 'bot');
    return {
      key: { ...(await this.view(extended.user, seats)), access: extended.access },
      replayed: extended.replayed,
    };
  }

  async resetTraffic(telegramId: number): Promise<KeyView> {
    const { user, seats } = await this.requireSeats(telegramId);
    return this.view(await this.access.resetTraffic(user.id, 'bot'), seats);
  }

  async rotate(telegramId: number, scope?: RotateScope): Promise<KeyView> {
    const { user, seats } = await this.requireSeats(telegramId);
    return this.view(await this.access.rotate(user.id, 'bot', scope), seats);
  }

  async remove(telegramId: number): Promise<void> {
    const user = await this.users.findByTelegramId(telegramId);
    if (!user) throw new DomainError(ErrorCode.UserNotFound, `no key for telegram id ${telegramId}`);
    await this.access.remove(user.id, 'bot');
  }

  async nodeOf(telegramId: number): Promise<KeyNodeView> {
    const key = await this.get(telegramId);
    return {
      node: key.node,
      assignedAt: key.assignedAt,
      servers: key.keys.map(({ group, node, assignedAt }) => ({ group, node, assignedAt })),
    };
  }

  /**
   * Share links for the subscription, one per seat in group order, each named after its group. A seat whose node
   * cannot serve is moved first (or waits briefly for the move a failover is already making); a seat no node can take
   * is left out, never given as a dead link.
   */
  async subscription(token: string): Promise<SubscriptionView | null> {
    const first = await this.subscriptions.byToken(token); // one query, the usual and only one
    if (!first) return null;
    const { user } = first;
    const found = {
      userId: user.id,
      telegramId: user.telegramId,
      access: mapAccess(user),
      uploadBytes: user.usedUpBytes,
      // The token asked with (the fetch reads no more of the user than its links and headers need).
      subscriptionUrl: `${this.config.publicUrl}/sub/${token}`,
    };
    // A user who may not use the service gets no link, but the headers say why (expiry, limit).
    if (!servesTraffic(found.access.status)) return { servers: [], ...found };
    const identity = mapIdentity(user);
    const linksOf = (seats: SubscriptionSeat[]) =>
      seats.flatMap((seat) => {
        const name = remarkOf(this.config.subRemarkTemplate, { group: seat.group, location: seat.node.location });
        const server = serverFor(identity, seat.node, name);
        return server ? [server] : [];
      });
    const givenUp = new Set<number>();
    let seats = first.seats;
    for (let attempt = 0; attempt < 5; attempt++) {
      if (attempt > 0) seats = (await this.subscriptions.byToken(token))?.seats ?? [];
      const broken = seats.filter((seat) => !servesWell(seat.node));
      if (!broken.length) return { servers: linksOf(seats), ...found };
      if (broken.every((seat) => givenUp.has(seat.group.id))) break;
      const moving = broken.filter((seat) => !givenUp.has(seat.group.id));
      const waits = await Promise.all(moving.map((seat) => this.moveAway(user.id, seat, givenUp)));
      if (waits.some(Boolean)) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return { servers: linksOf(seats.filter((seat) => servesWell(seat.node))), ...found };
  }

  /** Moves a seat off a node that cannot serve; answers true when a move under way elsewhere is to be waited for. */
  private async moveAway(userId: number, seat: SubscriptionSeat, givenUp: Set<number>): Promise<boolean> {
    try {
      await this.engine.move(userId, { fromNodeId: seat.node.id, reason: 'refresh', actor: 'subscription' });
      return false;
    } catch (error) {
      if (error instanceof DomainError && error.code === ErrorCode.MoveInProgress) return true;
      givenUp.add(seat.group.id);
      return false;
    }
  }

  private async requireSeats(telegramId: number): Promise<{ user: VpnUser; seats: Assignment[] }> {
    const user = await this.users.findByTelegramId(telegramId);
    const seats = user ? (await this.assignments.liveOf([user.id])).filter((row) => row.state === 'active') : [];
    if (!user || !seats.length) throw new DomainError(ErrorCode.UserNotFound, `no key for telegram id ${telegramId}`);
    return { user, seats };
  }

  /** The subscription URL and every server's share link of the user with this id (none while it holds none). */
  async userKeys(userId: number): Promise<UserKeysView> {
    const user = await this.users.findById(userId);
    if (!user || user.deletedAt) throw new DomainError(ErrorCode.UserNotFound, `user ${userId} not found`);
    return { userId, subscriptionUrl: this.subscriptionUrlOf(user), keys: await this.keysOf(user) };
  }

  /** The key body: the user's active seats (read now when not given) in group order, the first one also on top. */
  private async view(user: VpnUser, given?: Assignment[], known: NodeEntity[] = []): Promise<KeyView> {
    const keys = await this.keysOf(user, given, known);
    if (!keys.length) throw new DomainError(ErrorCode.UserNotFound, `user ${user.id} holds no server`);
    return {
      telegramId: user.telegramId ?? 0,
      userId: user.id,
      key: keys[0].key,
      subscriptionUrl: this.subscriptionUrlOf(user),
      node: keys[0].node,
      assignedAt: keys[0].assignedAt,
      keys,
      access: mapAccess(user),
      onlineAt: user.onlineAt?.toISOString() ?? null,
      lastNodeChange: keys.map((seat) => seat.assignedAt).reduce((latest, at) => (at > latest ? at : latest)),
    };
  }

  /** A share link per active seat (read now when not given), in group order. */
  private async keysOf(user: VpnUser, given?: Assignment[], known: NodeEntity[] = []): Promise<KeySeatView[]> {
    const seats = given ?? (await this.assignments.liveOf([user.id])).filter((row) => row.state === 'active');
    const nodes = new Map(known.map((node) => [node.id, node]));
    const unknown = seats.map((seat) => seat.nodeId).filter((id) => !nodes.has(id));
    for (const node of await this.nodes.findByIds(unknown)) nodes.set(node.id, node);
    const groups = await this.groups.ordered([...new Set(seats.map((seat) => seat.groupId))]);
    const identity = mapIdentity(user);
    return groups.flatMap((group) =>
      seats.flatMap((seat) => {
        const node = nodes.get(seat.nodeId);
        if (seat.groupId !== group.id || !node) return [];
        return [
          {
            group: { id: group.id, name: group.name, countryCode: group.countryCode },
            node: { id: node.id, name: node.name, location: node.location },
            key:
              shareLinkFor(
                identity,
                node,
                remarkOf(this.config.subRemarkTemplate, { group, location: node.location }),
              ) ?? '',
            assignedAt: seat.assignedAt.toISOString(),
          },
        ];
      }),
    );
  }

  private subscriptionUrlOf(user: VpnUser): string {
    return `${this.config.publicUrl}/sub/${user.subscriptionToken}`;
  }
}

/** A node keeps its users while it is active, healthy and not over capacity (full is fine). */
function servesWell(node: SubscriptionNode): boolean {
  return canServe({ ...node, inboundRead: node.inboundSnapshot !== null });
}
