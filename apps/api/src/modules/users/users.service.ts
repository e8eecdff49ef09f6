import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ErrorCode, Page, UserView } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { mapUser } from './user.mapper';
import { ExpiringUser, UserFilter, UsersRepository } from './users.repository';
import { VpnUser } from './vpn-user.entity';

/** Users read per query by an export. */
const EXPORT_BATCH = 500;

/** Users as other modules see them: the users API's views, and the reads and writes the rest of the fleet needs. */
@Injectable()
export class UsersService {
  constructor(private readonly users: UsersRepository) {}

  /** Folds the changes appended by the counting triggers into the kept totals. */
  foldCounts(): Promise<void> {
    return this.users.foldCounts();
  }

  async list(filter: UserFilter, showSecrets: boolean): Promise<Page<UserView>> {
    const byId = (filter.sort ?? 'id') === 'id';
    if (filter.after !== undefined && !byId) {
      throw new DomainError(ErrorCode.ValidationFailed, ['after pages only in id order (sort=id); use page']);
    }
    const { rows, total, estimated } = await this.users.list(filter);
    return {
      items: rows.map((row) => mapUser(row, showSecrets)),
      total,
      page: filter.page,
      limit: filter.limit,
      totalEstimated: estimated,
      nextCursor: byId && rows.length === filter.limit ? String(rows[rows.length - 1].user.id) : null,
    };
  }

  /** Every matching user, by id, a batch at a time (for an export: nothing holds them all at once). */
  async *each(filter: Omit<UserFilter, 'page' | 'limit' | 'after'>, showSecrets: boolean): AsyncGenerator<UserView[]> {
    for (let after = 0; ; ) {
      const rows = await this.users.listAfter(filter, after, EXPORT_BATCH);
      if (!rows.length) return;
      yield rows.map((row) => mapUser(row, showSecrets));
      after = rows[rows.length - 1].user.id;
    }
  }

  /** Serving users whose plan ends within `hours` (the dashboard's attention). */
  countExpiringSoon(hours: number): Promise<number> {
    return this.users.countExpiringSoon(hours);
  }

  /** The first `limit` serving users whose plan ends within `hours`, soonest first. */
  soonestExpiring(hours: number, limit: number): Promise<ExpiringUser[]> {
    return this.users.soonestExpiring(hours, limit);
  }

  async get(id: number, showSecrets: boolean): Promise<UserView> {
    const row = await this.users.row(id);
    if (!row) throw new DomainError(ErrorCode.UserNotFound, `user ${id} not found`);
    return mapUser(row, showSecrets);
  }

  findById(id: number, manager?: EntityManager): Promise<VpnUser | null> {
    return this.users.findById(id, manager);
  }

  /** The user's row, locked until the transaction ends (changes to one user's access serialise). */
  lockForUpdate(id: number, manager: EntityManager): Promise<VpnUser | null> {
    return this.users.findForUpdate(id, manager);
  }

  /** Stores the user's access fields and their version, in the caller's transaction. */
  saveAccess(user: VpnUser, manager: EntityManager): Promise<void> {
    return this.users.saveAccess(user, manager);
  }

  /** Revoked: telegram id freed, `token` (one nobody has) as its subscription token, switched off. */
  markDeleted(id: number, token: string, manager: EntityManager): Promise<void> {
    return this.users.markDeleted(id, token, manager);
  }

  /** Users the usage ledger noted at their limit, whose status is still to be rechecked (oldest first). */
  notedForRecheck(limit: number): Promise<number[]> {
    return this.users.notedForRecheck(limit);
  }

  /** The user's status was rechecked: off the ledger's list. */
  clearRecheck(userId: number): Promise<void> {
    return this.users.clearRecheck(userId);
  }

  findByTelegramId(telegramId: number): Promise<VpnUser | null> {
    return this.users.findByTelegramId(telegramId);
  }

  /** The bot's users of this username (exact, case-insensitive), one page in id order, with their number. */
  byUsername(username: string, page: number, limit: number): Promise<{ users: VpnUser[]; total: number }> {
    return this.users.byUsername(username, page, limit);
  }

  /** The bot's user for this telegram id, created on first sight; `created` says which happened. */
  upsertBotUser(
    telegramId: number,
    username: string | null,
    access?: Partial<VpnUser>,
  ): Promise<{ user: VpnUser; created: boolean }> {
    return this.users.upsertBotUser(telegramId, username, access);
  }

  /** What panels need to know of each user (client UUID, names, access), by id. */
  identities(userIds: number[], manager?: EntityManager) {
    return this.users.identities(userIds, manager);
  }

  /** Which of these users were deleted (their rows stay, for the history). */
  deletedAmong(userIds: number[], manager?: EntityManager): Promise<Set<number>> {
    return this.users.deletedAmong(userIds, manager);
  }

  /** Users whose access changes by time or by their plan, for the access pass (each list oldest first). */
  dueToExpire(limit: number): Promise<number[]> {
    return this.users.dueToExpire(limit);
  }

  dueForWarning(hours: number, limit: number): Promise<number[]> {
    return this.users.dueForWarning(hours, limit);
  }

  dueForReset(limit: number): Promise<number[]> {
    return this.users.dueForReset(limit);
  }

  heldOnNodes(limit: number) {
    return this.users.heldOnNodes(limit);
  }

  /** The dashboard's user counts (`hours`: how soon a plan's end counts as expiring soon). */
  fleetCounts(hours: number) {
    return this.users.fleetCounts(hours);
  }

  /** For adoption, in its transaction: which UUIDs and telegram ids are taken, and a user made from a panel client. */
  takenUuids(uuids: string[], manager: EntityManager): Promise<Set<string>> {
    return this.users.takenUuids(uuids, manager);
  }

  takenTelegramIds(ids: number[], manager: EntityManager): Promise<Set<number>> {
    return this.users.takenTelegramIds(ids, manager);
  }

  /** Under the caller's locks: the deleted (or unknown) among these users, and the plans of those `placing`. */
  standing(userIds: number[], placing: number[], manager: EntityManager) {
    return this.users.standing(userIds, placing, manager);
  }

  createAdopted(manager: EntityManager, fields: Parameters<UsersRepository['createAdopted']>[1]): Promise<VpnUser> {
    return this.users.createAdopted(manager, fields);
  }
}
