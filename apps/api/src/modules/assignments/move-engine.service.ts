import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { inboundClients, PanelClient, PanelDuplicateEmailError, PanelError } from '@fleet/xui-client';
import { ErrorCode } from '@fleet/contract';
import { CrashPoints } from '../../common/background/crash-points';
import { Coalescer } from '../../common/batching/coalescer';
import { DomainError } from '../../common/errors/domain-error';
import { LockKey, lockForTransaction, retryOnDeadlock } from '../../common/database/advisory-lock';
import type { EventInput } from '../events/events.types';
import { EventsService } from '../events/events.service';
import { MetricsService } from '../metrics/metrics.service';
import { NodeEntity } from '../nodes/node.entity';
import { NodesService } from '../nodes/nodes.service';
import { PanelPoolService } from '../panels/panel-pool.service';
import { PanelWriterService } from '../panels/panel-writer.service';
import { UsageLedger } from '../usage/usage-ledger.service';
import { UsersService } from '../users/users.service';
import { Assignment } from './assignment.entity';
import { AssignmentsRepository } from './assignments.repository';
import { migratedEvent } from './migration-event';
import { planBatch, refusal } from './move-planning';
import type {
  Departure,
  LeaveReason,
  Leaving,
  MoveManyResult,
  MoveOptions,
  MoveReason,
  MoveRequest,
  MoveResult,
  RefusalCode,
  Reservation,
  ReserveOutcome,
  Switch,
  SwitchHook,
  SwitchOutcome,
} from './move.types';
import { clientEmail, isUsersClient, panelClientFor, UserIdentity } from './panel-identity';
import { TombstonesRepository } from './tombstones.repository';
import { TombstonesService } from './tombstones.service';

/** How a refused single move is reported over HTTP. */
const MOVE_ERRORS: Record<RefusalCode, ErrorCode> = {
  busy: ErrorCode.MoveInProgress,
  'no-node': ErrorCode.UserNotFound,
  'which-seat': ErrorCode.ValidationFailed,
  'not-in-plan': ErrorCode.ValidationFailed,
  'user-gone': ErrorCode.UserNotFound,
  'same-node': ErrorCode.NodeNotEligible,
  'target-missing': ErrorCode.NodeNotFound,
  'target-ineligible': ErrorCode.NodeNotEligible,
  'no-capacity': ErrorCode.NoCapacity,
  panel: ErrorCode.NodeUnreachable,
};

/** Requests reserved (or switched) in one transaction at most: a few thousand rows per statement. */
const MAX_BATCH = 2000;

const CRASH = {
  placement: { reserved: 'placement:reserved', created: 'placement:client-created', switched: null },
  move: { reserved: 'move:reserved', created: 'move:client-created', switched: 'move:switched' },
  bulk: { reserved: 'bulk:reserved', created: 'bulk:clients-created', switched: 'bulk:switched' },
} as const;

/**
 * THE move protocol, for one user or many, for placements and moves alike. Each step is one batch:
 * 1. reserve: under the placement lock, pick targets (each pick sees the previous ones), take the seats with the
 *    capacity and eligibility re-checked in SQL, write the pending rows — one transaction;
 * 2. create the clients on the target panels (the panel writer batches them per panel, one write at a time);
 * 3. switch: in one transaction, pending → active, the old clients leave their nodes (`release`) and a
 *    `user.migrated` event per move.
 * A crash between steps leaves pending rows that recovery resolves against the panels. Whatever leaves a node — a
 * moved user's old client, a deleted user's, one made for a reservation rolled back, a stray — leaves through
 * `release`.
 */
@Injectable()
export class MoveEngine {
  private readonly reservations = new Coalescer<MoveRequest, ReserveOutcome>(
    (requests) => this.reserveBatch(requests),
    MAX_BATCH,
  );
  private readonly switches = new Coalescer<Switch, SwitchOutcome>((items) => this.switchBatch(items), MAX_BATCH);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly nodes: NodesService,
    private readonly users: UsersService,
    private readonly assignments: AssignmentsRepository,
    private readonly tombstones: TombstonesRepository,
    private readonly tombstoneRunner: TombstonesService,
    private readonly writer: PanelWriterService,
    private readonly pool: PanelPoolService,
    private readonly events: EventsService,
    private readonly crash: CrashPoints,
    private readonly metrics: MetricsService,
    private readonly ledger: UsageLedger,
  ) {}

  /**
   * Moves one seat of a user, make-before-break (a batch of one): the seat on `fromNodeId`, or the one in the
   * target's group, or the user's only seat. Tries up to three targets when the balancer chooses, then deletes the old
   * client right away (or leaves its tombstone due when that panel does not answer).
   */
  async move(
    userId: number,
    options: Pick<MoveOptions, 'reason' | 'actor'> & { targetNodeId?: number; fromNodeId?: number },
  ): Promise<MoveResult> {
    const request: MoveRequest = {
      kind: 'move',
      userId,
      fromNodeId: options.fromNodeId ?? null,
      toNodeId: options.targetNodeId ?? null,
    };
    const { done, failed } = await this.moveMany([request], {
      ...options,
      attempts: options.targetNodeId === undefined ? 3 : 1,
      crashPoints: 'move',
    });
    if (failed.length) {
      const [{ code, error }] = failed;
      throw new DomainError(MOVE_ERRORS[code], code === 'panel' ? `target panel failed: ${error}` : error);
    }
    const [{ assignment, node, from }] = done;
    if (!node || !from)
      throw new DomainError(ErrorCode.NodeNotEligible, `user ${userId} is already where it should be`);
    const cleaned = await this.carryOut([from]);
    return {
      fromNodeId: from.nodeId,
      toNodeId: node.id,
      assignment: assignment!,
      node,
      sourceCleaned: cleaned.size > 0,
    };
  }

  /**
   * Runs the whole protocol for a batch. With `attempts` > 1, users whose target panel failed are tried again on
   * another node (not when the target is fixed).
   */
  async moveMany(requests: MoveRequest[], options: MoveOptions & { attempts?: number }): Promise<MoveManyResult> {
    const result: MoveManyResult = { done: [], failed: [] };
    const crash = CRASH[options.crashPoints ?? 'bulk'];
    let round = requests;
    for (let attempt = 1; round.length; attempt++) {
      const outcomes = await this.reserve(round);
      const reservations: Reservation[] = [];
      for (const [i, outcome] of outcomes.entries()) {
        const request = round[i];
        if (outcome.kind === 'reserved') reservations.push(outcome.reservation);
        else if (outcome.kind === 'settled')
          result.done.push({ request, userId: outcome.userId, assignment: outcome.assignment });
        else result.failed.push({ request, userId: outcome.userId, code: outcome.code, error: outcome.error });
      }
      if (!reservations.length) break;
      this.crash.reach(crash.reserved);
      const created = await this.createClients(reservations);
      const ready = reservations.filter((_, i) => created[i] === null);
      const refused = reservations.filter((_, i) => created[i] !== null);
      await this.rollback(refused.map((reservation) => reservation.pending));
      this.crash.reach(crash.created);
      const switches = await this.switchOver(
        ready.map(({ request, pending, from, user }) => ({
          request,
          pending,
          from,
          user,
          reason: options.reason,
          actor: options.actor,
          jobId: options.jobId,
          announce: request.announce,
          onSwitched: options.onSwitched,
        })),
      );
      if (crash.switched) this.crash.reach(crash.switched);
      const gone = ready.filter((_, i) => switches[i] === 'gone');
      for (const [i, reservation] of ready.entries()) {
        if (switches[i] === 'gone') continue;
        result.done.push({
          request: reservation.request,
          userId: reservation.request.userId,
          assignment: reservation.pending,
          node: reservation.node,
          from: reservation.from ?? undefined,
          switched: switches[i] === 'switched',
        });
      }
      await this.abandon(gone);
      const deleted = await this.users.deletedAmong(gone.map(({ request }) => request.userId));
      round = [];
      for (const { request } of gone) {
        if (deleted.has(request.userId)) {
          result.failed.push({
            request,
            userId: request.userId,
            code: 'user-gone',
            error: `user ${request.userId} was deleted`,
          });
        } else if (attempt < (options.attempts ?? 1)) round.push(request);
        else
          result.failed.push({ request, userId: request.userId, code: 'busy', error: 'resolved elsewhere meanwhile' });
      }
      for (const [i, reservation] of reservations.entries()) {
        const error = created[i];
        if (error === null) continue;
        const { request, node } = reservation;
        if (attempt < (options.attempts ?? 1) && !request.toNodeId) {
          round.push({ ...request, exclude: new Set([...(request.exclude ?? []), node.id]) });
        } else {
          result.failed.push({
            request,
            userId: request.userId,
            code: 'panel',
            error: `${node.name}: ${error.message}`,
          });
        }
      }
    }
    return result;
  }

  /**
   * Step 1: one outcome per request, in order. Requests from every caller (placements, single moves, job batches)
   * that arrive while a reservation transaction runs are reserved together in the next one.
   */
  reserve(requests: MoveRequest[]): Promise<ReserveOutcome[]> {
    return Promise.all(requests.map((request) => this.reservations.submit(request)));
  }

  private async reserveBatch(requests: MoveRequest[]): Promise<ReserveOutcome[]> {
    const identities = await this.users.identities(requests.map((request) => request.userId));
    const planned = await retryOnDeadlock(() =>
      this.dataSource.transaction(async (manager) => {
        await this.holdReservations(manager);
        const userIds = requests.map((request) => request.userId);
        const live = await this.assignments.liveOf(userIds, manager);
        // Read under the lock: a deletion or a plan change (which take it too) is wholly before or after this batch.
        // Only placements are checked against the plan (a move keeps its seat's group).
        const placing = requests.filter((request) => request.kind === 'place').map((request) => request.userId);
        const { deleted, plans } = await this.users.standing(
          userIds.filter((id) => identities.has(id)),
          placing,
          manager,
        );
        const candidates = await this.nodes.candidates(manager);
        const outcomes = planBatch(requests, live, candidates, new Set(identities.keys()), deleted, plans);
        const picks = outcomes.filter((outcome) => outcome.kind === 'pick');
        const seats = new Map<number, number>();
        for (const pick of picks) seats.set(pick.nodeId, (seats.get(pick.nodeId) ?? 0) + 1);
        const granted = await this.nodes.takeSeats(seats, manager);
        const byId = new Map(candidates.map((node) => [node.id, node]));
        const accepted = picks.filter((pick) => granted.has(pick.nodeId));
        const rows = await this.assignments.insertPending(
          accepted.map((pick) => ({
            userId: pick.request.userId,
            nodeId: pick.nodeId,
            groupId: pick.groupId,
            inboundId: byId.get(pick.nodeId)!.inboundId!,
            clientEmail: clientEmail(pick.request.userId, pick.nodeId),
            accessVersion: identities.get(pick.request.userId)!.accessVersion,
          })),
          manager,
        );
        await this.tombstones.cancel(rows, manager);
        const kept = await this.ledger.expectNewClients(rows, manager);
        // The rows come back in the order of the picks they were made for.
        const pendingOf = new Map(accepted.map((pick, i) => [pick, rows[i]]));
        return outcomes.map((outcome) => {
          if (outcome.kind !== 'pick') return outcome;
          const pending = pendingOf.get(outcome);
          if (!pending) {
            return refusal(outcome.request.userId, 'no-capacity', 'the node filled up or changed meanwhile');
          }
          const counterBytes = kept.size ? (kept.get(`${pending.nodeId}/${pending.clientEmail}`) ?? 0) : 0;
          return { kind: 'held' as const, request: outcome.request, pending, from: outcome.from, counterBytes };
        });
      }),
    );
    const held = planned.filter((outcome) => outcome.kind === 'held');
    const targets = new Map(
      (await this.nodes.findByIds([...new Set(held.map((outcome) => outcome.pending.nodeId))])).map((node) => [
        node.id,
        node,
      ]),
    );
    return planned.map((outcome): ReserveOutcome => {
      if (outcome.kind !== 'held') return outcome;
      const node = targets.get(outcome.pending.nodeId)!;
      // A client kept from an earlier stay on this node (its tombstone cancelled) keeps its counter.
      const client = panelClientFor(identities.get(outcome.request.userId)!, node.id, node.inboundSnapshot!, {
        multiplier: node.usageMultiplier,
        counterBytes: outcome.counterBytes,
      });
      return {
        kind: 'reserved',
        reservation: {
          request: outcome.request,
          user: identities.get(outcome.request.userId)!,
          pending: outcome.pending,
          from: outcome.from,
          node,
          client,
        },
      };
    });
  }

  /**
   * Takes the lock under which reservations are decided, until the caller's transaction ends: work that must not
   * interleave with a reservation batch (a user's deletion) takes it before it locks any user row.
   */
  async holdReservations(manager: EntityManager): Promise<void> {
    await lockForTransaction(manager, LockKey.Placement);
  }

  /**
   * The user leaves every node, in the caller's transaction (the user is being deleted; call `holdReservations`
   * first): a placement or move under way is cancelled at once — its pending row removed and its seat given back; the
   * mover's switch then finds it gone — and the active assignment is released. Every client the user has or may be
   * getting gets a tombstone, to be carried out once the transaction has committed. The rows are read locked: a
   * switch of the user's move committing meanwhile is waited for, and the row it activated is the one released.
   */
  async leaveEveryNode(user: Pick<UserIdentity, 'id' | 'uuid'>, manager: EntityManager): Promise<Leaving> {
    const live = await this.assignments.lockLiveOf([user.id], manager);
    return this.release(
      live.map((row) => departureOf(row, user.uuid)),
      'deleted',
      manager,
    );
  }

  /** Clients created for reservations that recovery rolled back meanwhile: they leave their panels again. */
  private async abandon(reservations: Reservation[]): Promise<void> {
    if (!reservations.length) return;
    await this.release(
      reservations.map(({ node, pending, user }) => ({
        nodeId: node.id,
        inboundId: pending.inboundId,
        clientEmail: pending.clientEmail,
        clientUuid: user.uuid,
      })),
      'abandoned',
    );
  }

  /**
   * THE way to leave a node, for one client or many, in one transaction (the caller's when given): each assignment
   * still where the caller found it is released (active) or cancelled (pending) and its seat given back, once; every
   * client that leaves gets a tombstone in that same transaction, so a crash cannot forget it. Deleting the clients
   * from their panels, their last counters booked first, waits for the commit: the answer's `carryOut()` does it
   * now, the tombstone loop otherwise (and whenever a panel does not answer).
   */
  async release(departures: Departure[], reason: LeaveReason, manager?: EntityManager): Promise<Leaving> {
    if (!departures.length) return { departed: [], carryOut: async () => new Set() };
    const leave = async (tx: EntityManager): Promise<Departure[]> => {
      const rowsIn = (state: 'active' | 'pending') =>
        departures.flatMap(({ assignment }) => (assignment?.state === state ? [assignment.id] : []));
      const left = new Set(await this.freeSeats(rowsIn('pending'), rowsIn('active'), tx));
      const departed = departures.filter(({ assignment }) => !assignment || left.has(assignment.id));
      await this.tombstones.record(
        departed.map(({ nodeId, inboundId, clientEmail, clientUuid }) => ({
          nodeId,
          inboundId,
          clientEmail,
          clientUuid,
          reason,
        })),
        tx,
      );
      return departed;
    };
    const departed = await (manager ? leave(manager) : this.dataSource.transaction(leave));
    return { departed, carryOut: () => this.carryOut(departed) };
  }

  /** Carries these clients' tombstones out now, node by node; answers the emails removed from their panels. */
  private async carryOut(clients: Array<Pick<Departure, 'nodeId' | 'clientEmail'>>): Promise<Set<string>> {
    const cleaned = new Set<string>();
    for (const nodeId of new Set(clients.map((client) => client.nodeId))) {
      const emails = clients.filter((client) => client.nodeId === nodeId).map((client) => client.clientEmail);
      for (const email of (await this.tombstoneRunner.runDue({ nodeId, emails })).cleaned) cleaned.add(email);
    }
    return cleaned;
  }

  /**
   * Step 2: creates the clients (batched per panel by the writer). A duplicate email that turns out to be this very
   * client (same UUID or key) is a success, so a retry after a crash is idempotent. Null per success.
   */
  async createClients(reservations: Reservation[]): Promise<Array<PanelError | null>> {
    const outcomes = await Promise.allSettled(
      reservations.map(async ({ node, pending, client }) => {
        try {
          await this.writer.addClient(node, pending.inboundId, client);
        } catch (error) {
          if (!(error instanceof PanelDuplicateEmailError)) throw error;
          const existing = await this.findClient(node, pending.inboundId, client.email);
          if (!existing || !isUsersClient(existing, client)) throw error;
        }
      }),
    );
    return outcomes.map((outcome) => {
      if (outcome.status === 'fulfilled') return null;
      if (outcome.reason instanceof PanelError) return outcome.reason;
      throw outcome.reason;
    });
  }

  async findClient(node: NodeEntity, inboundId: number, email: string): Promise<PanelClient | null> {
    const inbound = await this.pool.run(node, (panel) => panel.getInbound(inboundId));
    return inboundClients(inbound).find((client) => client.email.toLowerCase() === email.toLowerCase()) ?? null;
  }

  /** Gives the seats back and forgets the pending rows (their panels never got, or lost, the clients). */
  async rollback(pendings: Assignment[]): Promise<void> {
    if (!pendings.length) return;
    await this.dataSource.transaction((tx) =>
      this.freeSeats(
        pendings.map((pending) => pending.id),
        [],
        tx,
      ),
    );
  }

  /**
   * Removes the rows still pending and releases those still active, and gives each one's seat back; answers the ids
   * of the rows that changed (a row that changed meanwhile is left, and its seat with it).
   */
  private async freeSeats(pendingIds: number[], activeIds: number[], manager: EntityManager): Promise<number[]> {
    const freed = [
      ...(await this.assignments.deletePending(pendingIds, manager)),
      ...(await this.assignments.release(activeIds, manager)),
    ];
    await this.nodes.releaseSeats(countBy(freed.map((row) => row.nodeId)), manager);
    return freed.map((row) => row.id);
  }

  /**
   * Step 3: answers, per item, whether it was switched. Switches from every caller that arrive while one runs go
   * together into the next transaction. An item whose pending row (or, for a move, old assignment) changed
   * meanwhile — recovery resolved it — is left out.
   */
  switchOver(items: Switch[]): Promise<SwitchOutcome[]> {
    return Promise.all(items.map((item) => this.switches.submit(item)));
  }

  private async switchBatch(items: Switch[]): Promise<SwitchOutcome[]> {
    let now = new Map<number, string>();
    const switched = await retryOnDeadlock(() =>
      this.dataSource.transaction(async (manager) => {
        // Locking the rows serialises this switch with recovery and rollbacks of the same rows.
        const ids = items.map((item) => item.pending.id);
        for (const { from } of items) if (from) ids.push(from.id);
        now = await this.assignments.lockStates(ids, manager);
        const valid = items.filter(
          (item) => now.get(item.pending.id) === 'pending' && (!item.from || now.get(item.from.id) === 'active'),
        );
        const moves = valid.filter((item) => item.from !== null);
        const identities = new Map<number, UserIdentity>();
        for (const { pending, user } of moves) if (user) identities.set(pending.userId, user);
        const missing = moves.filter((item) => !item.user).map((item) => item.pending.userId);
        for (const [id, user] of await this.users.identities(missing, manager)) identities.set(id, user);
        // The old clients leave first: a seat has one active row at most.
        for (const reason of new Set(moves.map((item) => item.reason as MoveReason))) {
          const leaving = moves.filter((item) => item.reason === reason);
          await this.release(
            leaving.map(({ from, pending }) => departureOf(from!, identities.get(pending.userId)?.uuid ?? null)),
            reason,
            manager,
          );
        }
        const activated = await this.assignments.activate(
          valid.map((item) => item.pending.id),
          manager,
        );
        const events: EventInput[] = valid.flatMap((item) => {
          if (!item.from) return item.announce ? [{ ...item.announce, nodeId: item.pending.nodeId }] : [];
          const move = {
            userId: item.pending.userId,
            telegramId: identities.get(item.pending.userId)?.telegramId ?? null,
            fromNodeId: item.from.nodeId,
            toNodeId: item.pending.nodeId,
          };
          return [migratedEvent(move, { reason: item.reason as MoveReason, actor: item.actor, jobId: item.jobId })];
        });
        await this.events.recordMany(events, manager);
        await runHooks(valid, manager);
        for (const item of valid) {
          item.pending.state = 'active';
          item.pending.assignedAt = activated.get(item.pending.id) ?? item.pending.assignedAt;
        }
        return new Set(valid);
      }),
    );
    for (const item of switched) {
      if (item.from) this.metrics.migrations.inc({ reason: item.reason });
      else this.metrics.placements.inc({ result: 'placed' });
    }
    return items.map((item) =>
      switched.has(item) ? 'switched' : now.get(item.pending.id) === 'active' ? 'done-elsewhere' : 'gone',
    );
  }
}

/** An assignment's client leaving its node. */
export function departureOf(row: Assignment, clientUuid: string | null): Departure {
  return {
    nodeId: row.nodeId,
    inboundId: row.inboundId,
    clientEmail: row.clientEmail,
    clientUuid,
    assignment: { id: row.id, state: row.state },
  };
}

/** Each distinct hook once, with the requests of the items that carry it. */
async function runHooks(items: Switch[], manager: EntityManager): Promise<void> {
  const requestsOf = new Map<SwitchHook, MoveRequest[]>();
  for (const item of items) {
    if (!item.onSwitched || !item.request) continue;
    const requests = requestsOf.get(item.onSwitched) ?? [];
    if (!requests.length) requestsOf.set(item.onSwitched, requests);
    requests.push(item.request);
  }
  for (const [hook, requests] of requestsOf) await hook(requests, manager);
}

/** A seat: a user's place in one group. */
export function seatKey(row: Pick<Assignment, 'userId' | 'groupId'>): string {
  return `${row.userId}/${row.groupId}`;
}

function countBy(ids: number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}
