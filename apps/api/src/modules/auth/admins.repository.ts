import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { AdminRole } from '@fleet/contract';
import { Admin } from './admin.entity';

/** The admins table, inside the caller's transaction. */
@Injectable()
export class AdminsRepository {
  list(tx: EntityManager): Promise<Admin[]> {
    return tx.getRepository(Admin).find({ order: { id: 'ASC' } });
  }

  find(id: number, tx: EntityManager): Promise<Admin | null> {
    return tx.getRepository(Admin).findOneBy({ id });
  }

  named(username: string, tx: EntityManager): Promise<boolean> {
    return tx.getRepository(Admin).existsBy({ username });
  }

  insert(admin: Pick<Admin, 'username' | 'passwordHash' | 'role'>, tx: EntityManager): Promise<Admin> {
    return tx.getRepository(Admin).save(tx.getRepository(Admin).create(admin));
  }

  async update(id: number, fields: Partial<Pick<Admin, 'role' | 'disabled' | 'tokenVersion'>>, tx: EntityManager) {
    await tx.getRepository(Admin).update(id, fields);
  }

  async remove(id: number, tx: EntityManager): Promise<void> {
    await tx.getRepository(Admin).delete(id);
  }

  /** Active owners other than `id`. */
  otherActiveOwners(id: number, tx: EntityManager): Promise<number> {
    const owner: AdminRole = 'owner';
    return tx
      .getRepository(Admin)
      .createQueryBuilder('admin')
      .where('admin.role = :owner AND NOT admin.disabled AND admin.id <> :id', { owner, id })
      .getCount();
  }
}
