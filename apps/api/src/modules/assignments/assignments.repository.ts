import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { INT4_MAX } from '../../common/http/strict-input';
import { NodeEntity } from '../nodes/node.entity';
import { Assignment } from './assignment.entity';
import { VpnUser } from './vpn-user.entity';

/** A user with the node that serves them (active assignment), for the users API. */
export interface UserRow {
  user: VpnUser;
  assignment: Assignment | null;
  node: NodeEntity | null;
}

/** Users and assignments. Methods that take an EntityManager run inside the caller's transaction. */
@Injectable()
export class AssignmentsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Creates the user unless one exists for this telegram id; `created` says which happened. */
  async upsertBotUser(telegramId: number, username: string | null): Promise<{ user: VpnUser; created: boolean }> {
    const inserted = await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(VpnUser)
      .values({
        telegramId: String(telegramId),
        username,
        uuid: randomUUID(),
        subscriptionToken: newSubscriptionToken(),
      })
      .orIgnore()
      .returning('*')
      .execute()
      .then((result) => result.raw as Array<Record<string, unknown>>);
    if (inserted.length)
      return { user: this.dataSource.getRepository(VpnUser).create(fromRow(inserted[0])), created: true };
    return { user: (await this.findUserByTelegramId(telegramId))!, created: false };
  }

  createAdoptedUser(
    manager: EntityManager,
    fields: { telegramId: string | null; username: string | null; uuid: string },
  ): Promise<VpnUser> {
    return manager
      .getRepository(VpnUser)
      .save(
        manager
          .getRepository(VpnUser)
          .create({ ...fields, source: 'adopted', subscriptionToken: newSubscriptionToken() }),
      );
  }

  findUserById(id: number, manager?: EntityManager): Promise<VpnUser | null> {
    return (manager ?? this.dataSource.manager).getRepository(VpnUser).findOneBy({ id });
  }

  findUserByTelegramId(telegramId: number): Promise<VpnUser | null> {
    return this.dataSource.getRepository(VpnUser).findOneBy({ telegramId: String(telegramId) });
  }

  findUserByToken(token: string): Promise<VpnUser | null> {
    return this.dataSource.getRepository(VpnUser).findOneBy({ subscriptionToken: token });
  }

  async takenUuids(uuids: string[], manager: EntityManager): Promise<Set<string>> {
    if (!uuids.length) return new Set();
    const rows: Array<{ uuid: string }> = await manager.query(
      `SELECT uuid FROM vpn_users WHERE uuid = ANY($1::uuid[])`,
      [uuids],
    );
    return new Set(rows.map((row) => row.uuid));
  }

  async takenTelegramIds(ids: string[], manager: EntityManager): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows: Array<{ telegram_id: string }> = await manager.query(
      `SELECT telegram_id FROM vpn_users WHERE telegram_id = ANY($1::bigint[])`,
      [ids],
    );
    return new Set(rows.map((row) => String(row.telegram_id)));
  }

  /** The user's active and pending assignments. */
  async live(
    userId: number,
    manager?: EntityManager,
  ): Promise<{ active: Assignment | null; pending: Assignment | null }> {
    const rows = await (manager ?? this.dataSource.manager).getRepository(Assignment).find({
      where: [
        { userId, state: 'active' },
        { userId, state: 'pending' },
      ],
    });
    return {
      active: rows.find((row) => row.state === 'active') ?? null,
      pending: rows.find((row) => row.state === 'pending') ?? null,
    };
  }

  /** Locks the user's row so that concurrent moves of one user serialise. */
  async lockUser(userId: number, manager: EntityManager): Promise<void> {
    await manager.query(`SELECT id FROM vpn_users WHERE id = $1 FOR UPDATE`, [userId]);
  }

  /**
   * Takes one seat on the node, if it is still eligible and not full, writes the pending assignment and cancels a
   * tombstone for the same client, in one statement. Null when the seat could not be taken.
   */
  async takeSeat(manager: EntityManager, userId: number, nodeId: number, email: string): Promise<Assignment | null> {
    const rows: Array<Record<string, unknown>> = await manager.query(
      `WITH seat AS (
         UPDATE nodes SET current_users = current_users + 1
          WHERE id = $2 AND current_users < max_users AND status = 'active' AND health_status = 'healthy'
            AND inbound_id IS NOT NULL AND inbound_snapshot IS NOT NULL
          RETURNING id, inbound_id),
       -- The client is wanted on that node again (the user came back): a pending deletion no longer applies.
       revived AS (DELETE FROM panel_tombstones WHERE node_id IN (SELECT id FROM seat) AND client_email = $3)
       INSERT INTO assignments (user_id, node_id, inbound_id, client_email, state)
       SELECT $1, seat.id, seat.inbound_id, $3, 'pending' FROM seat
       RETURNING *`,
      [userId, nodeId, email],
    );
    if (!rows.length) return null;
    const row = rows[0];
    return manager.getRepository(Assignment).create({
      id: String(row['id']),
      userId,
      nodeId,
      inboundId: row['inbound_id'] as number,
      clientEmail: email,
      state: 'pending',
      assignedAt: new Date(row['assigned_at'] as string),
      releasedAt: null,
      createdAt: new Date(row['created_at'] as string),
      updatedAt: new Date(row['updated_at'] as string),
    });
  }

  insertActive(
    manager: EntityManager,
    fields: { userId: number; nodeId: number; inboundId: number; clientEmail: string },
  ): Promise<Assignment> {
    const repo = manager.getRepository(Assignment);
    return repo.save(repo.create({ ...fields, state: 'active' }));
  }

  /** pending → active; the moment it happened, or null when the row is no longer pending (resolved elsewhere). */
  async activate(assignmentId: string, manager: EntityManager): Promise<Date | null> {
    const [rows] = await manager.query(
      `UPDATE assignments SET state = 'active', assigned_at = now(), updated_at = now()
        WHERE id = $1 AND state = 'pending' RETURNING assigned_at`,
      [assignmentId],
    );
    return rows.length ? new Date(rows[0].assigned_at) : null;
  }

  async release(assignmentId: string, manager: EntityManager): Promise<void> {
    await manager.query(
      `UPDATE assignments SET state = 'released', released_at = now(), updated_at = now() WHERE id = $1`,
      [assignmentId],
    );
  }

  /** Removes a pending row; false when it was not pending any more. */
  async deletePending(assignmentId: string, manager: EntityManager): Promise<boolean> {
    const result = await manager.query(`DELETE FROM assignments WHERE id = $1 AND state = 'pending'`, [assignmentId]);
    return result[1] > 0;
  }

  /** Pending rows older than `seconds`: placements and moves a crash (or a lost panel) left half-done. */
  stalePending(seconds: number, limit: number): Promise<Assignment[]> {
    return this.dataSource
      .getRepository(Assignment)
      .createQueryBuilder('a')
      .where(`a.state = 'pending' AND a.created_at < now() - make_interval(secs => :seconds)`, { seconds })
      .orderBy('a.created_at', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** Active users of a node, most recently assigned first (they have had the least time to settle). */
  async activeUserIds(nodeId: number, limit: number): Promise<number[]> {
    const rows: Array<{ user_id: number }> = await this.dataSource.query(
      `SELECT user_id FROM assignments WHERE node_id = $1 AND state = 'active' ORDER BY assigned_at DESC, id DESC LIMIT $2`,
      [nodeId, limit],
    );
    return rows.map((row) => row.user_id);
  }

  async activeCounts(): Promise<Map<number, number>> {
    const rows: Array<{ node_id: number; n: number }> = await this.dataSource.query(
      `SELECT node_id, count(*)::int AS n FROM assignments WHERE state = 'active' GROUP BY node_id`,
    );
    return new Map(rows.map((row) => [row.node_id, row.n]));
  }

  async emailsOnNode(nodeId: number, manager: EntityManager): Promise<Set<string>> {
    const rows: Array<{ client_email: string }> = await manager.query(
      `SELECT client_email FROM assignments WHERE node_id = $1 AND state <> 'released'`,
      [nodeId],
    );
    return new Set(rows.map((row) => row.client_email.toLowerCase()));
  }

  async listUsers(filter: {
    search?: string;
    nodeId?: number;
    page: number;
    limit: number;
  }): Promise<{ rows: UserRow[]; total: number }> {
    const query = this.dataSource
      .getRepository(VpnUser)
      .createQueryBuilder('u')
      .leftJoinAndMapOne('u.assignment', Assignment, 'a', `a.user_id = u.id AND a.state = 'active'`)
      .leftJoinAndMapOne('u.node', NodeEntity, 'n', 'n.id = a.node_id');
    if (filter.nodeId !== undefined) query.andWhere('a.node_id = :nodeId', { nodeId: filter.nodeId });
    if (filter.search) {
      const search = filter.search.trim();
      if (/^\d{1,16}$/.test(search)) {
        // Digits are a telegram id (bigint) or a user id (integer); only compare what fits each column.
        const asNumber = Number(search);
        query.andWhere(asNumber <= INT4_MAX ? '(u.telegram_id = :tg OR u.id = :id)' : 'u.telegram_id = :tg', {
          tg: search,
          id: asNumber,
        });
      } else query.andWhere('u.username ILIKE :name', { name: `%${search.replace(/[%_\\]/g, '\\$&')}%` });
    }
    const [users, total] = await query
      .orderBy('u.id', 'ASC')
      .skip((filter.page - 1) * filter.limit)
      .take(filter.limit)
      .getManyAndCount();
    return { rows: users.map(toRow), total };
  }

  async userRow(userId: number): Promise<UserRow | null> {
    const user = await this.dataSource
      .getRepository(VpnUser)
      .createQueryBuilder('u')
      .leftJoinAndMapOne('u.assignment', Assignment, 'a', `a.user_id = u.id AND a.state = 'active'`)
      .leftJoinAndMapOne('u.node', NodeEntity, 'n', 'n.id = a.node_id')
      .where('u.id = :userId', { userId })
      .getOne();
    return user ? toRow(user) : null;
  }
}

function fromRow(row: Record<string, unknown>): Partial<VpnUser> {
  return {
    id: row['id'] as number,
    telegramId: row['telegram_id'] === null ? null : String(row['telegram_id']),
    username: row['username'] as string | null,
    uuid: row['uuid'] as string,
    subscriptionToken: row['subscription_token'] as string,
    source: row['source'] as VpnUser['source'],
    createdAt: new Date(row['created_at'] as string),
    updatedAt: new Date(row['updated_at'] as string),
  };
}

function toRow(user: VpnUser): UserRow {
  const joined = user as VpnUser & { assignment?: Assignment; node?: NodeEntity };
  const { assignment, node } = joined;
  delete joined.assignment;
  delete joined.node;
  return { user, assignment: assignment ?? null, node: node ?? null };
}

/** 192 random bits, URL-safe: the unguessable part of a subscription URL. */
function newSubscriptionToken(): string {
  return randomBytes(24).toString('base64url');
}
