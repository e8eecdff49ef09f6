import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CrashPoints } from '../../common/background/crash-points';
import { LockKey } from '../../common/database/advisory-lock';
import { ineligibility, weightedLoadStrategy } from '../balancer/balancer.policy';
import { EventsService } from '../events/events.service';
import { MetricsService } from '../metrics/metrics.service';
import { NodesRepository } from '../nodes/nodes.repository';
import { Assignment } from './assignment.entity';
import { migratedEvent } from './migration-event';
import { clientEmail, panelClientFor } from './panel-identity';
import { PlacementService } from './placement.service';
import { TombstonesService } from './tombstones.service';
import type { MoveOptions } from './user-move.service';

export interface MoveRequest {
  userId: number;
  /** The node the user is expected on; a user already elsewhere counts as moved. */
  fromNodeId: number | null;
  /** A fixed target (rebalance); null lets the balancer choose. */
  toNodeId: number | null;
}

export interface BulkMoveResult {
  done: number[];
  /** `noCapacity`: no seat anywhere; `busy`: another move of the user (or its recovery) is under way. */
  failed: Array<{ userId: number; error: string; noCapacity: boolean; busy?: boolean }>;
}

interface LiveRow {
  id: string;
  user_id: number;
  node_id: number;
  inbound_id: number;
  client_email: string;
  state: 'pending' | 'active';
}

/**
 * Moves many users at once, with the same steps and guarantees as `UserMoveService` but a constant number of
 * statements per batch: seats for all reserved under one placement lock (each pick sees the previous ones),
 * clients created on each target in batched calls (the panel write queue), then one switch transaction (assignments,
 * counters, tombstones, events) for the whole batch. A crash in between leaves pending rows that recovery resolves.
 */
@Injectable()
export class BulkMoveService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly nodes: NodesRepository,
    private readonly placement: PlacementService,
    private readonly tombstones: TombstonesService,
    private readonly events: EventsService,
    private readonly crash: CrashPoints,
    private readonly metrics: MetricsService,
  ) {}

  async moveMany(
    requests: MoveRequest[],
    options: Pick<MoveOptions, 'reason' | 'actor' | 'jobId' | 'cleanSource'>,
  ): Promise<BulkMoveResult> {
    const result: BulkMoveResult = { done: [], failed: [] };
    const planned = await this.reserve(requests, result);
    if (!planned.length) return result;
    this.crash.reach('bulk:reserved');

    const users = await this.identities(planned.map((p) => p.pending.userId));
    const targets = new Map((await this.nodes.findAll()).map((node) => [node.id, node]));
    const created = await Promise.allSettled(
      planned.map(({ pending }) => {
        const node = targets.get(pending.nodeId)!;
        const client = panelClientFor(users.get(pending.userId)!, node.id, node.inboundSnapshot!);
        return this.placement.createClient({ assignment: pending, node, client });
      }),
    );
    const ready = planned.filter((_, i) => created[i].status === 'fulfilled');
    const refused = planned.filter((_, i) => created[i].status === 'rejected');
    for (const [i, outcome] of created.entries()) {
      if (outcome.status === 'rejected') {
        const error = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
        result.failed.push({ userId: planned[i].pending.userId, error, noCapacity: false });
      }
    }
    if (refused.length) {
      await this.dataSource.transaction(async (manager) => {
        for (const { pending } of refused) await this.placement.rollback(pending, manager);
      });
    }
    this.crash.reach('bulk:clients-created');

    const switched = await this.switchOver(ready, users, options);
    this.crash.reach('bulk:switched');
    result.done.push(...switched.map((p) => p.pending.userId));
    this.metrics.migrations.inc({ reason: options.reason }, switched.length);
    if (options.cleanSource !== false) {
      for (const nodeId of new Set(switched.map((p) => p.from.node_id))) await this.tombstones.runDue(nodeId);
    }
    return result;
  }

  /** Seats and pending rows for every user that can move, in one transaction under the placement lock. */
  private async reserve(
    requests: MoveRequest[],
    result: BulkMoveResult,
  ): Promise<Array<{ pending: Assignment; from: LiveRow }>> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [LockKey.Placement]);
      const live: LiveRow[] = await manager.query(
        `SELECT id, user_id, node_id, inbound_id, client_email, state FROM assignments
          WHERE user_id = ANY($1::int[]) AND state <> 'released'`,
        [requests.map((r) => r.userId)],
      );
      const active = new Map(live.filter((row) => row.state === 'active').map((row) => [row.user_id, row]));
      const moving = new Set(live.filter((row) => row.state === 'pending').map((row) => row.user_id));
      const candidates = await this.nodes.candidates(manager);
      const picks: Array<{ userId: number; nodeId: number; from: LiveRow }> = [];
      for (const request of requests) {
        const from = active.get(request.userId);
        if (!from) {
          result.failed.push({ userId: request.userId, error: 'the user has no node', noCapacity: false });
        } else if (moving.has(request.userId)) {
          result.failed.push({
            userId: request.userId,
            error: 'a move of this user is in progress',
            noCapacity: false,
          });
        } else if (
          (request.fromNodeId !== null && from.node_id !== request.fromNodeId) ||
          from.node_id === request.toNodeId
        ) {
          result.done.push(request.userId); // already where it should be
        } else {
          const target =
            request.toNodeId !== null
              ? candidates.find((node) => node.id === request.toNodeId && ineligibility(node) === null)
              : weightedLoadStrategy.rank(candidates, { exclude: new Set([from.node_id]) })[0];
          if (!target) {
            result.failed.push({
              userId: request.userId,
              error: 'no healthy node with free capacity',
              noCapacity: true,
            });
            continue;
          }
          target.currentUsers++; // the next pick sees this seat taken
          picks.push({ userId: request.userId, nodeId: target.id, from });
        }
      }
      if (!picks.length) return [];
      await this.addSeats(
        manager,
        picks.map((p) => p.nodeId),
        1,
      );
      const rows: Array<Record<string, unknown>> = await manager.query(
        `INSERT INTO assignments (user_id, node_id, inbound_id, client_email, state)
         SELECT p.user_id, p.node_id, n.inbound_id, p.email, 'pending'
           FROM unnest($1::int[], $2::int[], $3::varchar[]) AS p(user_id, node_id, email)
           JOIN nodes n ON n.id = p.node_id
         RETURNING *`,
        [picks.map((p) => p.userId), picks.map((p) => p.nodeId), picks.map((p) => clientEmail(p.userId, p.nodeId))],
      );
      await manager.query(
        `DELETE FROM panel_tombstones t USING unnest($1::int[], $2::varchar[]) AS c(node_id, email)
          WHERE t.node_id = c.node_id AND t.client_email = c.email`,
        [picks.map((p) => p.nodeId), picks.map((p) => clientEmail(p.userId, p.nodeId))],
      );
      const fromByUser = new Map(picks.map((p) => [p.userId, p.from]));
      return rows.map((row) => ({
        pending: toAssignment(manager, row),
        from: fromByUser.get(row['user_id'] as number)!,
      }));
    });
  }

  /** The switch for a whole batch, in one transaction; pairs changed meanwhile are left to recovery. */
  private async switchOver(
    ready: Array<{ pending: Assignment; from: LiveRow }>,
    users: Map<number, { id: number; uuid: string; telegramId: string | null }>,
    options: Pick<MoveOptions, 'reason' | 'actor' | 'jobId'>,
  ): Promise<Array<{ pending: Assignment; from: LiveRow }>> {
    if (!ready.length) return [];
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT id FROM vpn_users WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE`, [
        ready.map((r) => r.pending.userId),
      ]);
      const still: Array<{ id: string }> = await manager.query(
        `SELECT id::text FROM assignments WHERE (id = ANY($1::bigint[]) AND state = 'pending')
                                          OR (id = ANY($2::bigint[]) AND state = 'active')`,
        [ready.map((r) => r.pending.id), ready.map((r) => r.from.id)],
      );
      const valid = new Set(still.map((row) => String(row.id)));
      const moves = ready.filter((r) => valid.has(String(r.pending.id)) && valid.has(String(r.from.id)));
      if (!moves.length) return [];
      await manager.query(
        `UPDATE assignments SET state = 'released', released_at = now(), updated_at = now() WHERE id = ANY($1::bigint[])`,
        [moves.map((m) => m.from.id)],
      );
      await manager.query(
        `UPDATE assignments SET state = 'active', assigned_at = now(), updated_at = now() WHERE id = ANY($1::bigint[])`,
        [moves.map((m) => m.pending.id)],
      );
      await this.addSeats(
        manager,
        moves.map((m) => m.from.node_id),
        -1,
      );
      await manager.query(
        `INSERT INTO panel_tombstones (node_id, inbound_id, client_email, client_uuid, reason)
         SELECT * FROM unnest($1::int[], $2::int[], $3::varchar[], $4::uuid[], $5::varchar[])
         ON CONFLICT (node_id, client_email) DO UPDATE SET reason = EXCLUDED.reason, inbound_id = EXCLUDED.inbound_id`,
        [
          moves.map((m) => m.from.node_id),
          moves.map((m) => m.from.inbound_id),
          moves.map((m) => m.from.client_email),
          moves.map((m) => users.get(m.pending.userId)!.uuid),
          moves.map(() => options.reason),
        ],
      );
      await this.events.recordMany(
        moves.map((m) =>
          migratedEvent(
            {
              userId: m.pending.userId,
              telegramId: users.get(m.pending.userId)!.telegramId,
              fromNodeId: m.from.node_id,
              toNodeId: m.pending.nodeId,
            },
            options,
          ),
        ),
        manager,
      );
      return moves;
    });
  }

  /** Adds `delta` seats per occurrence of each node id, in one statement. */
  private async addSeats(manager: EntityManager, nodeIds: number[], delta: 1 | -1): Promise<void> {
    const counts = new Map<number, number>();
    for (const id of nodeIds) counts.set(id, (counts.get(id) ?? 0) + delta);
    await manager.query(
      `UPDATE nodes SET current_users = GREATEST(nodes.current_users + c.n, 0)
         FROM unnest($1::int[], $2::int[]) AS c(id, n) WHERE nodes.id = c.id`,
      [[...counts.keys()], [...counts.values()]],
    );
  }

  private async identities(userIds: number[]) {
    const rows: Array<{ id: number; uuid: string; telegram_id: string | null; username: string | null }> =
      await this.dataSource.query(`SELECT id, uuid, telegram_id, username FROM vpn_users WHERE id = ANY($1::int[])`, [
        userIds,
      ]);
    return new Map(
      rows.map((row) => [
        row.id,
        {
          id: row.id,
          uuid: row.uuid,
          telegramId: row.telegram_id === null ? null : String(row.telegram_id),
          username: row.username,
        },
      ]),
    );
  }
}

function toAssignment(manager: EntityManager, row: Record<string, unknown>): Assignment {
  return manager.getRepository(Assignment).create({
    id: String(row['id']),
    userId: row['user_id'] as number,
    nodeId: row['node_id'] as number,
    inboundId: row['inbound_id'] as number,
    clientEmail: row['client_email'] as string,
    state: 'pending',
    assignedAt: new Date(row['assigned_at'] as string),
    releasedAt: null,
    createdAt: new Date(row['created_at'] as string),
    updatedAt: new Date(row['updated_at'] as string),
  });
}
