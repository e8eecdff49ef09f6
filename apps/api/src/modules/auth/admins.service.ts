import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AdminRole, AdminView, ErrorCode, EventType } from '@fleet/contract';
import { LockKey, lockForTransaction } from '../../common/database/advisory-lock';
import { DomainError } from '../../common/errors/domain-error';
import { EventsService } from '../events/events.service';
import { Admin } from './admin.entity';
import { AdminsRepository } from './admins.repository';
import { PasswordHasher } from './password-hasher';

export interface AdminChange {
  role?: AdminRole;
  disabled?: boolean;
}

/**
 * Admin accounts. Every change runs under one lock, so two changes at once cannot together leave the fleet without an
 * active owner. Disabling or removing an admin ends their sessions at once: each request reads the admin's row.
 */
@Injectable()
export class AdminsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly admins: AdminsRepository,
    private readonly hasher: PasswordHasher,
    private readonly events: EventsService,
  ) {}

  async list(): Promise<AdminView[]> {
    return (await this.admins.list(this.dataSource.manager)).map(mapAdmin);
  }

  async create(username: string, password: string, role: AdminRole, actor: string): Promise<AdminView> {
    const passwordHash = await this.hasher.hash(password);
    return this.dataSource.transaction(async (tx) => {
      await lockForTransaction(tx, LockKey.Admins);
      if (await this.admins.named(username, tx)) {
        throw new DomainError(ErrorCode.AdminNameTaken, `an admin named ${username} exists`);
      }
      const admin = await this.admins.insert({ username, passwordHash, role }, tx);
      await this.events.record(
        { type: EventType.AdminCreated, actor, payload: { adminId: admin.id, username, role } },
        tx,
      );
      return mapAdmin(admin);
    });
  }

  async update(id: number, change: AdminChange, actor: string): Promise<AdminView> {
    return this.dataSource.transaction(async (tx) => {
      const admin = await this.locked(id, tx);
      const requested = definedOf(change);
      const after = { ...admin, ...requested };
      await this.keepAnOwner(admin, after, tx);
      const changed = Object.fromEntries(
        Object.entries(requested).filter(([field, value]) => admin[field as keyof AdminChange] !== value),
      );
      if (!Object.keys(changed).length) return mapAdmin(admin);
      // Disabling ends the admin's sessions; enabling again does not bring the old ones back.
      const tokenVersion = changed['disabled'] === true ? admin.tokenVersion + 1 : admin.tokenVersion;
      await this.admins.update(id, { ...changed, tokenVersion }, tx);
      await this.events.record(
        { type: EventType.AdminUpdated, actor, payload: { adminId: id, username: admin.username, changed } },
        tx,
      );
      return mapAdmin({ ...admin, ...changed, tokenVersion, updatedAt: new Date() });
    });
  }

  async remove(id: number, actor: string): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const admin = await this.locked(id, tx);
      await this.keepAnOwner(admin, null, tx);
      await this.admins.remove(id, tx);
      await this.events.record(
        { type: EventType.AdminDeleted, actor, payload: { adminId: id, username: admin.username } },
        tx,
      );
    });
  }

  private async locked(id: number, tx: EntityManager): Promise<Admin> {
    await lockForTransaction(tx, LockKey.Admins);
    const admin = await this.admins.find(id, tx);
    if (!admin) throw new DomainError(ErrorCode.AdminNotFound, `admin ${id} not found`);
    return admin;
  }

  /** Refuses a change (`after` null: a removal) that would leave no active owner. */
  private async keepAnOwner(before: Admin, after: Pick<Admin, 'role' | 'disabled'> | null, tx: EntityManager) {
    const activeOwner = (admin: Pick<Admin, 'role' | 'disabled'> | null) => admin?.role === 'owner' && !admin.disabled;
    if (!activeOwner(before) || activeOwner(after)) return;
    if (!(await this.admins.otherActiveOwners(before.id, tx))) {
      throw new DomainError(
        ErrorCode.LastOwner,
        `${before.username} is the last active owner: make another owner first`,
      );
    }
  }
}

function definedOf(change: AdminChange): AdminChange {
  return Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined));
}

export function mapAdmin(admin: Admin): AdminView {
  return {
    id: admin.id,
    username: admin.username,
    role: admin.role,
    disabled: admin.disabled,
    createdAt: admin.createdAt.toISOString(),
    updatedAt: admin.updatedAt.toISOString(),
  };
}
