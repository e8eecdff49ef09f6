import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In, SelectQueryBuilder } from 'typeorm';
import { boundedCount } from '../../common/database/bounded-count';
import { sqlArray } from '../../common/database/sql-array';
import { INT4_MAX } from '../../common/http/strict-input';
import type { UserSort } from '@fleet/contract';
import { Assignment } from '../assignments/assignment.entity';
import type { AccessStatus } from './access-status';
import type { UserIdentity } from '../assignments/panel-identity';
import { NodeGroup } from '../groups/group.entity';
import { NodeEntity } from '../nodes/node.entity';
import { newSubscriptionToken } from './subscription-token';
import { identityColumns, mapIdentity, userOfRow, UserRow } from './user.mapper';
import { VpnUser } from './vpn-user.entity';

/** A serving user whose plan ends within `$1` hours (served by `vpn_users_serving_by_expiry`). */
const EXPIRING_WITHIN_HOURS = `status IN ('active', 'on_hold') AND expires_at IS NOT NULL
  AND expires_at > now() AND expires_at <= now() + make_interval(hours => $1)`;

/** A user whose plan ends soon, as the daily digest names them. */
export interface ExpiringUser {
  id: number;
  username: string | null;
  telegramId: number | null;
  expiresAt: Date;
}

/** Which users a page of the users API lists. */
export interface UserFilter {
  search?: string;
  nodeId?: number;
  status?: string;
  page: number;
  limit: number;
  /** The last id of the previous page: the page after it, by key (`page` is then ignored; id order only). */
  after?: number;
  sort?: UserSort;
}

/** Each order as its ORDER BY, each walked on an index ('never' and no name last, and first when reversed). */
const ORDER_BY: Record<UserSort, string> = {
  id: 'u.id',
  '-id': 'u.id DESC',
  expiresAt: 'u.expires_at ASC NULLS LAST, u.id',
  '-expiresAt': 'u.expires_at DESC NULLS FIRST, u.id DESC',
  name: 'lower(u.username) ASC NULLS LAST, u.id',
  '-name': 'lower(u.username) DESC NULLS FIRST, u.id DESC',
};

/**
 * Queries on users: their rows, access rechecks and kept counts (the usage ledger, subscriptions, reconcile and
 * assignments read or write `vpn_users` in their own queries too). Methods that take an EntityManager run inside the
 * caller's transaction.
 */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(VpnUser);
  }

  /** Creates the user unless one exists for this telegram id; `created` says which happened. */
  async upsertBotUser(
    telegramId: number,
    username: string | null,
    access: Partial<VpnUser> = {},
  ): Promise<{ user: VpnUser; created: boolean }> {
    const inserted = await this.repo()
      .createQueryBuilder()
      .insert()
      .values({
        ...access,
        telegramId,
        username,
        uuid: randomUUID(),
        subscriptionToken: newSubscriptionToken(),
      })
      .orIgnore()
      .returning('*')
      .execute()
      .then((result) => result.raw as Array<Record<string, unknown>>);
    if (inserted.length) return { user: this.repo().create(userOfRow(inserted[0])), created: true };
    return { user: (await this.findByTelegramId(telegramId))!, created: false };
  }

  createAdopted(
    manager: EntityManager,
    fields: { telegramId: number | null; username: string | null; uuid: string; planGroups: number[] } & Partial<
      Pick<VpnUser, 'enabled' | 'expiresAt' | 'holdDays' | 'trafficLimitBytes' | 'deviceLimit' | 'status'>
    >,
  ): Promise<VpnUser> {
    const repo = this.repo(manager);
    return repo.save(repo.create({ ...fields, source: 'adopted', subscriptionToken: newSubscriptionToken() }));
  }

  findById(id: number, manager?: EntityManager): Promise<VpnUser | null> {
    return this.repo(manager).findOneBy({ id });
  }

  /** The user's row, locked until the transaction ends (changes to one user's access serialise). */
  findForUpdate(id: number, manager: EntityManager): Promise<VpnUser | null> {
    return this.repo(manager).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** Stores the access fields and their version. */
  async saveAccess(user: VpnUser, manager: EntityManager): Promise<void> {
    await this.repo(manager).update(user.id, {
      enabled: user.enabled,
      expiresAt: user.expiresAt,
      holdDays: user.holdDays,
      trafficLimitBytes: user.trafficLimitBytes,
      trafficReset: user.trafficReset,
      deviceLimit: user.deviceLimit,
      note: user.note,
      planGroups: user.planGroups,
      usedBytes: user.usedBytes,
      usedUpBytes: user.usedUpBytes,
      periodStart: user.periodStart,
      nextResetAt: user.nextResetAt,
      uuid: user.uuid,
      subscriptionToken: user.subscriptionToken,
      accessVersion: user.accessVersion,
      status: user.status,
      expiryWarnedFor: user.expiryWarnedFor,
    });
  }

  /** Users whose status changes by time now: serving, with an expiry that has passed (oldest first). */
  async dueToExpire(limit: number): Promise<number[]> {
    const rows: Array<{ id: number }> = await this.dataSource.query(
      `SELECT id FROM vpn_users WHERE status IN ('active', 'on_hold') AND expires_at IS NOT NULL AND expires_at <= now()
        ORDER BY expires_at LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.id);
  }

  /** Users the usage ledger noted at their limit, whose status is still to be rechecked (oldest first). */
  async notedForRecheck(limit: number): Promise<number[]> {
    const rows: Array<{ user_id: number }> = await this.dataSource.query(
      `SELECT user_id FROM access_rechecks ORDER BY noted_at LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.user_id);
  }

  async clearRecheck(userId: number): Promise<void> {
    await this.dataSource.query(`DELETE FROM access_rechecks WHERE user_id = $1`, [userId]);
  }

  /** Users on hold (plan not started) with the node and client email that serve them. */
  async heldOnNodes(limit: number): Promise<Array<{ userId: number; nodeId: number; clientEmail: string }>> {
    const rows: Array<{ user_id: number; node_id: number; client_email: string }> = await this.dataSource.query(
      `SELECT u.id AS user_id, a.node_id, a.client_email FROM vpn_users u
         JOIN assignments a ON a.user_id = u.id AND a.state = 'active'
        WHERE u.status = 'on_hold' ORDER BY u.id LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({ userId: row.user_id, nodeId: row.node_id, clientEmail: row.client_email }));
  }

  /** Users whose traffic period has ended. */
  async dueForReset(limit: number): Promise<number[]> {
    const rows: Array<{ id: number }> = await this.dataSource.query(
      `SELECT id FROM vpn_users WHERE next_reset_at IS NOT NULL AND next_reset_at <= now() AND deleted_at IS NULL
        ORDER BY next_reset_at LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.id);
  }

  /** Serving users whose expiry is within `hours` and who were not warned for that expiry yet. */
  async dueForWarning(hours: number, limit: number): Promise<number[]> {
    const rows: Array<{ id: number }> = await this.dataSource.query(
      `SELECT id FROM vpn_users
        WHERE ${EXPIRING_WITHIN_HOURS}
          AND expiry_warned_for IS DISTINCT FROM expires_at
        ORDER BY expires_at LIMIT $2`,
      [hours, limit],
    );
    return rows.map((row) => row.id);
  }

  /** Revoked: telegram id freed, a token nobody has, switched off. */
  async markDeleted(id: number, token: string, manager: EntityManager): Promise<void> {
    await this.repo(manager).update(id, {
      deletedAt: () => 'now()',
      telegramId: null,
      subscriptionToken: token,
      enabled: false,
      status: 'deleted',
      accessVersion: () => 'access_version + 1',
    });
  }

  /**
   * The bot's users (with a telegram id) of this username, exactly and case-insensitively, one page in id order,
   * with their number (the index `vpn_users_by_username`).
   */
  async byUsername(username: string, page: number, limit: number): Promise<{ users: VpnUser[]; total: number }> {
    const where = `lower(username) = lower($1) AND deleted_at IS NULL AND telegram_id IS NOT NULL`;
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT * FROM vpn_users WHERE ${where} ORDER BY id LIMIT $2 OFFSET $3`,
      [username, limit, (page - 1) * limit],
    );
    const [{ n }]: Array<{ n: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM vpn_users WHERE ${where}`,
      [username],
    );
    return { users: rows.map((row) => this.repo().create(userOfRow(row))), total: n };
  }

  findByTelegramId(telegramId: number): Promise<VpnUser | null> {
    return this.repo().findOneBy({ telegramId });
  }

  findByToken(token: string): Promise<VpnUser | null> {
    return this.repo().findOneBy({ subscriptionToken: token });
  }

  /** What panels need to know of each user (client UUID, names), by id. */
  async identities(userIds: number[], manager?: EntityManager): Promise<Map<number, UserIdentity>> {
    if (!userIds.length) return new Map();
    const rows: Array<Record<string, unknown>> = await (manager ?? this.dataSource.manager).query(
      `SELECT ${identityColumns('vpn_users')} FROM vpn_users WHERE id = ANY($1::int[])`,
      [sqlArray(userIds)],
    );
    return new Map(rows.map((row) => [row['id'] as number, mapIdentity(userOfRow(row))]));
  }

  /** Which of these users were deleted (their rows stay, for the history). */
  async deletedAmong(userIds: number[], manager?: EntityManager): Promise<Set<number>> {
    if (!userIds.length) return new Set();
    const rows: Array<{ id: number }> = await (manager ?? this.dataSource.manager).query(
      `SELECT id FROM vpn_users WHERE id = ANY($1::int[]) AND deleted_at IS NOT NULL`,
      [sqlArray(userIds)],
    );
    return new Set(rows.map((row) => row.id));
  }

  /**
   * Read under the caller's locks: which of these users are deleted (or unknown), and the plans (group ids) of those
   * among `placing` that are not. Only those rows come back, so a batch of moves reads none.
   */
  async standing(
    userIds: number[],
    placing: number[],
    manager: EntityManager,
  ): Promise<{ deleted: Set<number>; plans: Map<number, number[]> }> {
    const deleted = new Set<number>();
    const plans = new Map<number, number[]>();
    if (!userIds.length) return { deleted, plans };
    const rows: Array<{ id: number; plan_groups: number[] | null }> = await manager.query(
      // The users are read by their ids (the primary key) before the join: joined directly, the planner may hash the
      // whole table.
      `SELECT u.id, v.plan_groups FROM unnest($1::int[]) AS u(id)
         LEFT JOIN (SELECT id, plan_groups FROM vpn_users WHERE id = ANY($1::int[]) AND deleted_at IS NULL) v
                ON v.id = u.id
        WHERE v.id IS NULL OR u.id = ANY($2::int[])`,
      [sqlArray(userIds), sqlArray(placing)],
    );
    for (const row of rows) {
      if (row.plan_groups === null) deleted.add(row.id);
      else plans.set(row.id, row.plan_groups);
    }
    return { deleted, plans };
  }

  async takenUuids(uuids: string[], manager: EntityManager): Promise<Set<string>> {
    if (!uuids.length) return new Set();
    const rows = await this.repo(manager).find({ select: { uuid: true }, where: { uuid: In(uuids) } });
    return new Set(rows.map((row) => row.uuid));
  }

  async takenTelegramIds(ids: number[], manager: EntityManager): Promise<Set<number>> {
    if (!ids.length) return new Set();
    const rows = await this.repo(manager).find({ select: { telegramId: true }, where: { telegramId: In(ids) } });
    return new Set(rows.flatMap((row) => (row.telegramId === null ? [] : [row.telegramId])));
  }

  /**
   * The dashboard's user counts, none of them by counting users: every user (deleted ones included, as they keep
   * their row) and users by access status from the kept totals; those with a node from the node counters (every live
   * assignment is on its node's counter, so the active ones are those counters less the pending ones); and serving
   * users whose plan ends within `hours` (the index on expiry).
   */
  async fleetCounts(hours: number): Promise<{
    users: { total: number; placed: number };
    access: Record<AccessStatus, number> & { expiringSoon: number };
  }> {
    const [rows, [{ placed }], soon] = await Promise.all([
      this.statusCounts(),
      this.dataSource.query(
        `SELECT ((SELECT coalesce(sum(current_users), 0) FROM nodes)
                 - (SELECT count(*) FROM assignments WHERE state = 'pending'))::int AS placed`,
      ),
      this.countExpiringSoon(hours),
    ]);
    const access = { active: 0, on_hold: 0, disabled: 0, expired: 0, limited: 0, expiringSoon: soon as number };
    for (const row of rows) if (!row.deleted && row.status in access) access[row.status as AccessStatus] = row.n;
    return { users: { total: rows.reduce((sum, row) => sum + row.n, 0), placed }, access };
  }

  /** Serving users whose plan ends within `hours` (on the index of serving users by expiry). */
  async countExpiringSoon(hours: number): Promise<number> {
    const [{ soon }]: Array<{ soon: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS soon FROM vpn_users
        WHERE ${EXPIRING_WITHIN_HOURS}`,
      [hours],
    );
    return soon;
  }

  /** The first `limit` serving users whose plan ends within `hours`, soonest first (the same index, read in order). */
  async soonestExpiring(hours: number, limit: number): Promise<ExpiringUser[]> {
    const rows: Array<{ id: number; username: string | null; telegram_id: string | null; expires_at: Date }> =
      await this.dataSource.query(
        `SELECT id, username, telegram_id::text, expires_at FROM vpn_users
          WHERE ${EXPIRING_WITHIN_HOURS}
          ORDER BY expires_at LIMIT $2`,
        [hours, limit],
      );
    return rows.map((row) => ({
      id: row.id,
      username: row.username,
      telegramId: row.telegram_id === null ? null : Number(row.telegram_id),
      expiresAt: new Date(row.expires_at),
    }));
  }

  /** Users by status and deletion: the kept totals plus the changes not folded into them yet (one snapshot). */
  private statusCounts(): Promise<Array<{ status: string; deleted: boolean; n: number }>> {
    return this.dataSource.query(
      `SELECT status, deleted, sum(n)::int AS n
         FROM (SELECT status, deleted, n FROM user_counts UNION ALL SELECT status, deleted, n FROM user_count_changes) c
        GROUP BY 1, 2`,
    );
  }

  /** Folds the changes appended by the counting triggers into the totals (safe to run anywhere, any number of times). */
  async foldCounts(): Promise<void> {
    await this.dataSource.query(
      `WITH folded AS (DELETE FROM user_count_changes RETURNING status, deleted, n)
       INSERT INTO user_counts AS c (status, deleted, n)
       SELECT status, deleted, sum(n) FROM folded GROUP BY 1, 2 ORDER BY 1, 2
       ON CONFLICT (status, deleted) DO UPDATE SET n = c.n + EXCLUDED.n`,
    );
  }

  /**
   * One page of users by id: the page's ids first (an index walk, however many users there are), then their rows
   * with their node's name and location only (never its secrets). The total is exact up to EXACT_COUNT_UP_TO users
   * and an estimate, flagged, past that.
   */
  async list(filter: UserFilter): Promise<{ rows: UserRow[]; total: number; estimated: boolean }> {
    const { from, values, unfiltered } = this.matching(filter);
    const page: Array<{ id: number }> = await this.dataSource.query(
      filter.after === undefined
        ? `SELECT u.id ${from} ORDER BY ${ORDER_BY[filter.sort ?? 'id']} LIMIT $${values.length + 1} OFFSET $${values.length + 2}`
        : `SELECT u.id ${from} AND u.id > $${values.length + 2} ORDER BY u.id LIMIT $${values.length + 1}`,
      [...values, filter.limit, filter.after === undefined ? (filter.page - 1) * filter.limit : filter.after],
    );
    const { total, estimated } = await boundedCount(
      this.dataSource,
      from,
      values,
      unfiltered ? 'vpn_users' : undefined,
    );
    return { rows: await this.rowsOf(page.map((row) => row.id)), total, estimated };
  }

  /** The next `limit` matching users after the user `after`, by id, uncounted (an export walks them all). */
  async listAfter(filter: Omit<UserFilter, 'page' | 'limit' | 'after'>, after: number, limit: number) {
    const { from, values } = this.matching(filter);
    const page: Array<{ id: number }> = await this.dataSource.query(
      `SELECT u.id ${from} AND u.id > $${values.length + 1} ORDER BY u.id LIMIT $${values.length + 2}`,
      [...values, after, limit],
    );
    return this.rowsOf(page.map((row) => row.id));
  }

  /** The FROM and WHERE of the users matching a filter, with its parameters. */
  private matching(filter: Pick<UserFilter, 'nodeId' | 'status' | 'search'>) {
    const filters = ['u.deleted_at IS NULL'];
    const values: unknown[] = [];
    const join =
      filter.nodeId === undefined
        ? ''
        : `JOIN assignments a ON a.user_id = u.id AND a.state = 'active' AND a.node_id = $${values.push(filter.nodeId)}`;
    if (filter.status !== undefined) filters.push(`u.status = $${values.push(filter.status)}`);
    if (filter.search) {
      const search = filter.search.trim();
      if (/^[1-9]\d{0,15}$/.test(search)) {
        // Digits: the start of a telegram id (each longer id they begin is a range on its index), or a user id.
        const prefixes = telegramIdRanges(search).map(
          ([from, to]) =>
            `(u.telegram_id >= $${values.push(from)}::bigint AND u.telegram_id < $${values.push(to)}::bigint)`,
        );
        if (Number(search) <= INT4_MAX) prefixes.push(`u.id = $${values.push(Number(search))}`);
        filters.push(`(${prefixes.join(' OR ')})`);
      } else if (/^\d+$/.test(search)) {
        filters.push('false'); // no telegram id or user id is written like that (a leading zero, or too long)
      } else {
        filters.push(`u.username ILIKE $${values.push(`%${search.replace(/[%_\\]/g, '\\$&')}%`)}`);
      }
    }
    return {
      from: `FROM vpn_users u ${join} WHERE ${filters.join(' AND ')}`,
      values,
      unfiltered: filters.length === 1 && !join,
    };
  }

  /** These users' rows with their seats and waiting seats, in the order of `ids`. */
  private async rowsOf(ids: number[]): Promise<UserRow[]> {
    if (!ids.length) return [];
    const users = await this.withSeats(this.repo().createQueryBuilder('u'))
      .where('u.id IN (:...ids)', { ids })
      .getMany();
    const waiting = await this.waitingOf(users.map((user) => user.id));
    const byId = new Map(users.map((user) => [user.id, user]));
    return ids.flatMap((id) => {
      const user = byId.get(id);
      return user ? [toRow(user, waiting.get(id))] : [];
    });
  }

  async row(userId: number): Promise<UserRow | null> {
    const user = await this.withNode().andWhere('u.id = :userId', { userId }).getOne();
    return user ? toRow(user, (await this.waitingOf([userId])).get(userId)) : null;
  }

  /** These users' seats waiting for capacity (those placed meanwhile left out), in group order. */
  private async waitingOf(userIds: number[]): Promise<Map<number, UserRow['waiting']>> {
    const waiting = new Map<number, UserRow['waiting']>();
    if (!userIds.length) return waiting;
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT w.user_id, w.since, w.attempts, w.last_error, g.id, g.name, g.country_code
         FROM seat_waits w JOIN node_groups g ON g.id = w.group_id
        WHERE w.user_id = ANY($1::int[]) AND NOT EXISTS (
          SELECT 1 FROM assignments a WHERE a.user_id = w.user_id AND a.group_id = w.group_id AND a.state = 'active')
        ORDER BY g.sort_order, g.id`,
      [userIds],
    );
    for (const row of rows) {
      const userId = row['user_id'] as number;
      if (!waiting.has(userId)) waiting.set(userId, []);
      waiting.get(userId)!.push({
        group: {
          id: row['id'] as number,
          name: row['name'] as string,
          countryCode: row['country_code'] as string | null,
        },
        since: new Date(row['since'] as string),
        attempts: row['attempts'] as number,
        lastError: row['last_error'] as string | null,
      });
    }
    return waiting;
  }

  private withNode() {
    return this.withSeats(this.repo().createQueryBuilder('u').where('u.deleted_at IS NULL'));
  }

  /** Joins the users' seats (active assignments), each with its node's name and location and its group. */
  private withSeats(query: SelectQueryBuilder<VpnUser>) {
    return query
      .leftJoinAndMapMany('u.seats', Assignment, 'a', `a.user_id = u.id AND a.state = 'active'`)
      .leftJoinAndMapOne('a.node', NodeEntity, 'n', 'n.id = a.node_id')
      .leftJoinAndMapOne('a.group', NodeGroup, 'g', 'g.id = a.group_id')
      .select(['u', 'a', 'n.id', 'n.name', 'n.location', 'g']);
  }
}

type JoinedSeat = Assignment & { node?: NodeEntity; group?: NodeGroup };

/** The users API's row out of a user the query joined its seats onto, the seats in group order. */
function toRow(user: VpnUser, waiting: UserRow['waiting'] = []): UserRow {
  const joined = user as VpnUser & { seats?: JoinedSeat[] };
  const seats = (joined.seats ?? []).flatMap(({ node, group, ...assignment }) =>
    node && group ? [{ assignment: Object.assign(new Assignment(), assignment), node, group }] : [],
  );
  delete joined.seats;
  seats.sort((a, b) => a.group.sortOrder - b.group.sortOrder || a.group.id - b.group.id);
  return { user, seats, waiting };
}

/** The longest telegram id a search widens a prefix to (ids are far shorter; bigint holds 19 digits). */
const TELEGRAM_ID_DIGITS = 16;

/** Every telegram id that starts with these digits, as [from, to) ranges, one per length (as decimal strings). */
export function telegramIdRanges(prefix: string): Array<[string, string]> {
  const ranges: Array<[string, string]> = [];
  for (let extra = 0; prefix.length + extra <= TELEGRAM_ID_DIGITS; extra++) {
    const from = BigInt(prefix) * 10n ** BigInt(extra);
    ranges.push([String(from), String(from + 10n ** BigInt(extra))]);
  }
  return ranges;
}
