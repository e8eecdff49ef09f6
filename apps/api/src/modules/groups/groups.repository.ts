import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { NodeGroup } from './group.entity';

/** A group with the number of its nodes. */
export interface GroupListing {
  group: NodeGroup;
  nodeCount: number;
}

/** Every query on `node_groups`. Methods that take an EntityManager run inside the caller's transaction. */
@Injectable()
export class GroupsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(NodeGroup);
  }

  /**
   * Groups in their order (sort order, then id), with their node counts (the index `nodes_group`); every group, or
   * those given. There are at most GROUP_LIMITS.maxGroups.
   */
  async list(ids?: number[]): Promise<GroupListing[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT g.*, (SELECT count(*)::int FROM nodes n WHERE n.group_id = g.id) AS node_count
         FROM node_groups g ${ids ? 'WHERE g.id = ANY($1::int[])' : ''} ORDER BY g.sort_order, g.id`,
      ids ? [ids] : [],
    );
    return rows.map((row) => ({
      group: Object.assign(new NodeGroup(), {
        id: row['id'] as number,
        name: row['name'] as string,
        countryCode: row['country_code'] as string | null,
        sortOrder: row['sort_order'] as number,
        defaultForNewUsers: row['default_for_new_users'] as boolean,
        createdAt: new Date(row['created_at'] as string),
        updatedAt: new Date(row['updated_at'] as string),
      }),
      nodeCount: row['node_count'] as number,
    }));
  }

  /** These groups, in group order (lean: for key bodies and plans). */
  async ordered(ids: number[], manager?: EntityManager): Promise<NodeGroup[]> {
    if (!ids.length) return [];
    return this.repo(manager)
      .createQueryBuilder('g')
      .where('g.id = ANY(:ids)', { ids })
      .orderBy('g.sort_order')
      .addOrderBy('g.id')
      .getMany();
  }

  /** The groups named by these ids or (case-insensitive) names. */
  async named(ids: number[], names: string[], manager?: EntityManager): Promise<NodeGroup[]> {
    return this.repo(manager)
      .createQueryBuilder('g')
      .where('g.id = ANY(:ids) OR lower(g.name) = ANY(:names)', { ids, names: names.map((name) => name.toLowerCase()) })
      .getMany();
  }

  /** Whether a user's server still stands for the group (on a node that has since moved to another group). */
  async hasSeats(id: number, manager: EntityManager): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM assignments WHERE group_id = $1 AND state <> 'released' LIMIT 1`,
      [id],
    );
    return rows.length > 0;
  }

  /** The group leaves every plan that named it (the index `vpn_users_plan_groups`). */
  async leavePlans(id: number, manager: EntityManager): Promise<void> {
    await manager.query(
      `UPDATE vpn_users SET plan_groups = array_remove(plan_groups, $1) WHERE plan_groups @> ARRAY[$1]::int[]`,
      [id],
    );
  }

  count(manager: EntityManager): Promise<number> {
    return this.repo(manager).count();
  }

  findById(id: number, manager?: EntityManager): Promise<NodeGroup | null> {
    return this.repo(manager).findOneBy({ id });
  }

  /** Locked until the transaction ends. */
  findByIdForUpdate(id: number, manager: EntityManager): Promise<NodeGroup | null> {
    return this.repo(manager).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** The group of that name (case-insensitive), other than `exceptId`. */
  async nameTaken(name: string, exceptId: number | null, manager: EntityManager): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM node_groups WHERE lower(name) = lower($1) AND id IS DISTINCT FROM $2`,
      [name, exceptId],
    );
    return rows.length > 0;
  }

  /** Where a node created without a group goes (the column's default, `first_node_group()`); null: no group. */
  async forNewNode(manager?: EntityManager): Promise<number | null> {
    const [row]: Array<{ id: number | null }> = await (manager ?? this.dataSource.manager).query(
      `SELECT first_node_group() AS id`,
    );
    return row.id;
  }

  save(group: NodeGroup, manager: EntityManager): Promise<NodeGroup> {
    return this.repo(manager).save(group);
  }

  async remove(id: number, manager: EntityManager): Promise<void> {
    await this.repo(manager).delete({ id });
  }
}
