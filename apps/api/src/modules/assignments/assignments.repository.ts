import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, LessThan, Not } from 'typeorm';
import { numbersOfSqlArray, sqlArray } from '../../common/database/sql-array';
import { servingSql } from '../users/access-status';
import { Assignment } from './assignment.entity';

/** Every query on `assignments`. Methods that take an EntityManager run inside the caller's transaction. */
@Injectable()
export class AssignmentsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(Assignment);
  }

  /**
   * Active and pending rows of many users (one lean query: it runs under the placement lock). The states are named
   * one by one so that the seat indexes (active, pending) answer, whatever a user's history.
   */
  liveOf(userIds: number[], manager?: EntityManager): Promise<Assignment[]> {
    return this.leanRows(`user_id = ANY($1::int[]) AND (state = 'active' OR state = 'pending')`, userIds, manager);
  }

  /**
   * Active and pending rows of many users, locked (in id order) until the transaction ends: a switch or rollback of
   * them under way commits first, and the rows are answered as it left them.
   */
  lockLiveOf(userIds: number[], manager: EntityManager): Promise<Assignment[]> {
    return this.leanRows(
      `user_id = ANY($1::int[]) AND (state = 'active' OR state = 'pending') ORDER BY id FOR UPDATE`,
      userIds,
      manager,
    );
  }

  /** The pending rows (placements and moves under way) of these users. */
  pendingOf(userIds: number[]): Promise<Assignment[]> {
    return this.leanRows(`user_id = ANY($1::int[]) AND state = 'pending'`, userIds);
  }

  private async leanRows(where: string, userIds: number[], manager?: EntityManager): Promise<Assignment[]> {
    if (!userIds.length) return [];
    const rows: Array<Record<string, unknown>> = await (manager ?? this.dataSource.manager).query(
      // Dates as epoch milliseconds: the driver parses a timestamp in about a microsecond, a number in a tenth of
      // that, and a failover reads these rows for every user it moves.
      `SELECT id, user_id, node_id, group_id, inbound_id, client_email, state, access_version,
              (extract(epoch FROM assigned_at) * 1000)::float8 AS assigned_ms,
              (extract(epoch FROM created_at) * 1000)::float8 AS created_ms
         FROM assignments WHERE ${where}`,
      [sqlArray(userIds)],
    );
    return rows.map((row) => {
      const createdAt = new Date(row['created_ms'] as number);
      return Object.assign(new Assignment(), {
        id: Number(row['id']),
        userId: row['user_id'] as number,
        nodeId: row['node_id'] as number,
        groupId: row['group_id'] as number,
        inboundId: row['inbound_id'] as number,
        clientEmail: row['client_email'] as string,
        state: row['state'] as Assignment['state'],
        accessVersion: row['access_version'] as number,
        assignedAt: new Date(row['assigned_ms'] as number),
        releasedAt: null,
        createdAt,
        updatedAt: createdAt,
      });
    });
  }

  /** Locks the rows (in id order) until the transaction ends, and answers the state of each now. */
  async lockStates(ids: number[], manager: EntityManager): Promise<Map<number, string>> {
    if (!ids.length) return new Map();
    // One row of two lists rather than a row per assignment: a switch locks two rows per moved user.
    const [{ locked, states }]: Array<{ locked: string | null; states: string | null }> = await manager.query(
      `SELECT array_agg(id)::text AS locked, string_agg(state, ',') AS states
         FROM (SELECT id, state FROM assignments WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE) in_order`,
      [sqlArray(ids)],
    );
    const stateOf = states?.split(',') ?? [];
    return new Map(numbersOfSqlArray(locked).map((id, i) => [id, stateOf[i]]));
  }

  /** New pending rows: one per (user, node, group, inbound, client email), in one statement. */
  async insertPending(rows: SeatFields[], manager: EntityManager): Promise<Assignment[]> {
    if (!rows.length) return [];
    // One statement takes the ids from the sequence in the rows' order, so sorted they match the rows; both dates
    // are the transaction's start (their defaults), so one is read for all.
    const [{ ids, at }]: Array<{ ids: string | null; at: Date }> = await manager.query(
      `WITH inserted AS (
         INSERT INTO assignments (user_id, node_id, group_id, inbound_id, client_email, access_version, state)
         SELECT *, 'pending' FROM unnest($1::int[], $2::int[], $3::int[], $4::int[], $5::varchar[], $6::int[])
         RETURNING id)
       SELECT array_agg(id ORDER BY id)::text AS ids, now() AS at FROM inserted`,
      [
        sqlArray(rows.map((r) => r.userId)),
        sqlArray(rows.map((r) => r.nodeId)),
        sqlArray(rows.map((r) => r.groupId)),
        sqlArray(rows.map((r) => r.inboundId)),
        rows.map((r) => r.clientEmail),
        sqlArray(rows.map((r) => r.accessVersion)),
      ],
    );
    const inserted = numbersOfSqlArray(ids);
    // Fields named one by one: a spread followed by more fields costs microseconds per object in V8, and this runs
    // for every user a failover moves.
    return rows.map(({ userId, nodeId, groupId, inboundId, clientEmail, accessVersion }, i) =>
      Object.assign(new Assignment(), {
        id: inserted[i],
        userId,
        nodeId,
        groupId,
        inboundId,
        clientEmail,
        accessVersion,
        state: 'pending' as const,
        assignedAt: at,
        releasedAt: null,
        createdAt: at,
        updatedAt: at,
      }),
    );
  }

  insertActive(manager: EntityManager, fields: SeatFields): Promise<Assignment> {
    const repo = this.repo(manager);
    return repo.save(repo.create({ ...fields, state: 'active' }));
  }

  /** pending → active for those still pending; answers the ids activated, with the moment. */
  async activate(ids: number[], manager: EntityManager): Promise<Map<number, Date>> {
    if (!ids.length) return new Map();
    // Every row takes the transaction's start as its date: it is read once.
    const [{ activated, at }]: Array<{ activated: string | null; at: Date }> = await manager.query(
      `WITH activated AS (
         UPDATE assignments SET state = 'active', assigned_at = now(), updated_at = now()
          WHERE id = ANY($1::bigint[]) AND state = 'pending' RETURNING id)
       SELECT array_agg(id)::text AS activated, now() AS at FROM activated`,
      [sqlArray(ids)],
    );
    return new Map(numbersOfSqlArray(activated).map((id) => [id, at]));
  }

  /** active → released for those still active; answers them (id and node). */
  release(ids: number[], manager: EntityManager): Promise<Array<Pick<Assignment, 'id' | 'nodeId'>>> {
    return this.changedRows(
      `UPDATE assignments SET state = 'released', released_at = now(), updated_at = now()
        WHERE id = ANY($1::bigint[]) AND state = 'active' RETURNING id, node_id`,
      ids,
      manager,
    );
  }

  /** Removes pending rows; answers the ones that were still pending (id and node). */
  deletePending(ids: number[], manager: EntityManager): Promise<Array<Pick<Assignment, 'id' | 'nodeId'>>> {
    return this.changedRows(
      `DELETE FROM assignments WHERE id = ANY($1::bigint[]) AND state = 'pending' RETURNING id, node_id`,
      ids,
      manager,
    );
  }

  /**
   * Runs a write on the rows of these ids that answers `RETURNING id, node_id`; the rows come back as two lists in
   * one row, which the driver reads far faster than a row per assignment.
   */
  private async changedRows(
    write: string,
    ids: number[],
    manager: EntityManager,
  ): Promise<Array<Pick<Assignment, 'id' | 'nodeId'>>> {
    if (!ids.length) return [];
    const [{ changed, nodes }]: Array<{ changed: string | null; nodes: string | null }> = await manager.query(
      `WITH changed AS (${write}) SELECT array_agg(id)::text AS changed, array_agg(node_id)::text AS nodes FROM changed`,
      [sqlArray(ids)],
    );
    const nodeIds = numbersOfSqlArray(nodes);
    return numbersOfSqlArray(changed).map((id, i) => ({ id, nodeId: nodeIds[i] }));
  }

  /** Pending rows older than `seconds`: placements and moves a crash (or a lost panel) left half-done. */
  stalePending(seconds: number, limit: number): Promise<Assignment[]> {
    return this.repo().find({
      where: { state: 'pending', createdAt: LessThan(new Date(Date.now() - seconds * 1000)) },
      order: { createdAt: 'ASC' },
      take: limit,
    });
  }

  /**
   * Users a rebalance moves: for each slice, `take` serving users of the node after the first `skip`, newest
   * assignment first (the index `assignments_rebalance_pick`), all slices in one statement.
   */
  async pickMovers(slices: ReadonlyArray<{ nodeId: number; skip: number; take: number }>): Promise<number[][]> {
    if (!slices.length) return [];
    const rows: Array<{ slice: number; user_id: number }> = await this.dataSource.query(
      `SELECT s.slice::int - 1 AS slice, p.user_id
         FROM unnest($1::int[], $2::int[], $3::int[]) WITH ORDINALITY AS s(node_id, skip, take, slice)
         CROSS JOIN LATERAL (
           SELECT a.user_id, a.assigned_at, a.id FROM assignments a JOIN vpn_users u ON u.id = a.user_id
            WHERE a.node_id = s.node_id AND a.state = 'active' AND ${servingSql('u')}
            ORDER BY a.assigned_at DESC, a.id DESC LIMIT s.take OFFSET s.skip) p
        ORDER BY s.slice, p.assigned_at DESC, p.id DESC`,
      [slices.map((s) => s.nodeId), slices.map((s) => s.skip), slices.map((s) => s.take)],
    );
    const users: number[][] = slices.map(() => []);
    for (const row of rows) users[row.slice].push(row.user_id);
    return users;
  }

  /**
   * Every active user of a node, oldest first (`servingOnly`: those who may use the service, for a failover;
   * `outsideGroup`: those whose seat there stands for another group).
   */
  async activeUsersOf(
    nodeId: number,
    manager: EntityManager,
    { servingOnly = false, outsideGroup }: ActiveUsersOptions = {},
  ): Promise<number[]> {
    const rows: Array<{ user_id: number }> = await manager.query(
      `SELECT a.user_id FROM assignments a JOIN vpn_users u ON u.id = a.user_id
        WHERE a.node_id = $1 AND a.state = 'active' ${servingOnly ? `AND ${servingSql('u')}` : ''}
          ${outsideGroup === undefined ? '' : 'AND a.group_id <> $2'}
        ORDER BY a.id`,
      outsideGroup === undefined ? [nodeId] : [nodeId, outsideGroup],
    );
    return rows.map((row) => row.user_id);
  }

  /**
   * The node's seats take its (new) group where their users' plans name it and they hold no seat there yet: they
   * follow the node instead of moving, and the group each stood for, still in the plan, gets a waiting seat. Answers
   * how many followed.
   */
  async followNode(nodeId: number, groupId: number, manager: EntityManager): Promise<number> {
    const [{ n }]: Array<{ n: number }> = await manager.query(
      `WITH followed AS (
         UPDATE assignments a SET group_id = $2, updated_at = now()
           FROM (SELECT s.id, s.group_id AS old_group FROM assignments s JOIN vpn_users u ON u.id = s.user_id
                  WHERE s.node_id = $1 AND s.state = 'active' AND s.group_id <> $2 AND $2 = ANY(u.plan_groups)
                    AND NOT EXISTS (SELECT 1 FROM assignments o
                                     WHERE o.user_id = s.user_id AND o.group_id = $2
                                       AND (o.state = 'active' OR o.state = 'pending'))
                  FOR UPDATE OF s) f
          WHERE a.id = f.id
         RETURNING a.user_id, f.old_group),
       waiting AS (
         INSERT INTO seat_waits (user_id, group_id)
         SELECT f.user_id, f.old_group FROM followed f JOIN vpn_users u ON u.id = f.user_id
          WHERE f.old_group = ANY(u.plan_groups)
         ON CONFLICT DO NOTHING)
       SELECT count(*)::int AS n FROM followed`,
      [nodeId, groupId],
    );
    return n;
  }

  /** Whether a placement or move onto the node is under way. */
  async pendingOn(nodeId: number, manager: EntityManager): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM assignments WHERE node_id = $1 AND state = 'pending' LIMIT 1`,
      [nodeId],
    );
    return rows.length > 0;
  }

  /** Users on the node whose panel client is behind their access (a change still to write there), in id order
   * from after the user `after`. */
  async behindOnAccess(nodeId: number, limit: number, after = 0): Promise<number[]> {
    const rows: Array<{ user_id: number }> = await this.dataSource.query(
      `SELECT a.user_id FROM assignments a JOIN vpn_users u ON u.id = a.user_id
        WHERE a.node_id = $1 AND a.state = 'active' AND a.access_version < u.access_version AND a.user_id > $3
        ORDER BY a.user_id LIMIT $2`,
      [nodeId, limit, after],
    );
    return rows.map((row) => row.user_id);
  }

  /** These users' clients on the node must be rewritten (their counter went back: `totalGB` is stale). */
  async markAccessStale(nodeId: number, userIds: number[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE assignments SET access_version = 0
        WHERE node_id = $1 AND user_id = ANY($2::int[]) AND state = 'active'`,
      [nodeId, userIds],
    );
  }

  /** The client carries this access version now (never moves it back). */
  async markAccessApplied(assignmentId: number, version: number): Promise<void> {
    await this.dataSource.query(`UPDATE assignments SET access_version = $2 WHERE id = $1 AND access_version < $2`, [
      assignmentId,
      version,
    ]);
  }

  /** Which of these emails (lower-cased) had an assignment on the node at any time: clients we made or adopted. */
  async emailsEverOn(nodeId: number, emails: string[]): Promise<Set<string>> {
    if (!emails.length) return new Set();
    const rows: Array<{ email: string }> = await this.dataSource.query(
      `SELECT DISTINCT lower(client_email) AS email FROM assignments
        WHERE node_id = $1 AND lower(client_email) = ANY($2::text[])`,
      [nodeId, emails.map((email) => email.toLowerCase())],
    );
    return new Set(rows.map((row) => row.email));
  }

  /** Users on the node: active assignments and placements under way (what its counter counts). */
  countLive(nodeId: number, manager: EntityManager): Promise<number> {
    return this.repo(manager).countBy({ nodeId, state: Not('released') });
  }

  async emailsOnNode(nodeId: number, manager: EntityManager): Promise<Set<string>> {
    const rows = await this.repo(manager).find({
      select: { clientEmail: true },
      where: { nodeId, state: Not('released') },
    });
    return new Set(rows.map((row) => row.clientEmail.toLowerCase()));
  }
}

/** What a new assignment row is made of. */
export interface SeatFields {
  userId: number;
  nodeId: number;
  groupId: number;
  inboundId: number;
  clientEmail: string;
  accessVersion: number;
}

export interface ActiveUsersOptions {
  servingOnly?: boolean;
  outsideGroup?: number;
}
