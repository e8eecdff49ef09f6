import { Injectable } from '@nestjs/common';
import { ErrorCode, Page, Role, UserView } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { mapAccess } from '../access/access.mapper';
import { MoveEngine } from '../assignments/move-engine.service';
import { UserFilter, UserRow, UsersRepository } from './users.repository';

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly engine: MoveEngine,
  ) {}

  async list(filter: UserFilter, viewer: Role): Promise<Page<UserView>> {
    const { rows, total, estimated } = await this.users.list(filter);
    return {
      items: rows.map((row) => mapUser(row, viewer)),
      total,
      page: filter.page,
      limit: filter.limit,
      totalEstimated: estimated,
      nextCursor: rows.length === filter.limit ? String(rows[rows.length - 1].user.id) : null,
    };
  }

  async get(id: number, viewer: Role): Promise<UserView> {
    const row = await this.users.row(id);
    if (!row) throw new DomainError(ErrorCode.UserNotFound, `user ${id} not found`);
    return mapUser(row, viewer);
  }

  async migrate(id: number, nodeId: number, actor: string): Promise<UserView & { sourceCleaned: boolean }> {
    await this.get(id, 'admin');
    const result = await this.engine.move(id, { targetNodeId: nodeId, reason: 'manual', actor });
    return { ...(await this.get(id, 'admin')), sourceCleaned: result.sourceCleaned };
  }
}

/** The user as `viewer` may see it: the client UUID is a credential, shown to admins only. */
export function mapUser({ user, assignment, node }: UserRow, viewer: Role): UserView {
  return {
    id: user.id,
    telegramId: user.telegramId === null ? null : Number(user.telegramId),
    username: user.username,
    ...(viewer === 'admin' ? { uuid: user.uuid } : {}),
    source: user.source,
    node: node ? { id: node.id, name: node.name, location: node.location } : null,
    clientEmail: assignment?.clientEmail ?? null,
    assignedAt: assignment?.assignedAt.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
    access: mapAccess(user),
  };
}
