import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { ErrorCode, EventType, GROUP_LIMITS } from '@fleet/contract';
import type { GroupView } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { EventsService } from '../events/events.service';
import { NodeGroup } from './group.entity';
import { CreateGroupDto, UpdateGroupDto } from './groups.dto';
import { GroupListing, GroupsRepository } from './groups.repository';

const FIELDS = ['name', 'countryCode', 'sortOrder', 'defaultForNewUsers'] as const;

/** Node groups: their CRUD, and what nodes ask of them (does a group exist, where a new node goes). */
@Injectable()
export class GroupsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly groups: GroupsRepository,
    private readonly events: EventsService,
  ) {}

  async list(): Promise<GroupView[]> {
    return (await this.groups.list()).map(mapGroup);
  }

  async get(id: number): Promise<GroupView> {
    const [listing] = await this.groups.list([id]);
    if (!listing) throw notFound(id);
    return mapGroup(listing);
  }

  async create(body: CreateGroupDto, actor: string): Promise<GroupView> {
    const saved = await this.inTransaction(async (manager) => {
      if ((await this.groups.count(manager)) >= GROUP_LIMITS.maxGroups) {
        throw new DomainError(ErrorCode.ValidationFailed, `a fleet has at most ${GROUP_LIMITS.maxGroups} groups`);
      }
      await this.assertNameFree(body.name, null, manager);
      const group = Object.assign(new NodeGroup(), { countryCode: null, sortOrder: 0, defaultForNewUsers: false });
      apply(group, body);
      const saved = await this.groups.save(group, manager);
      await this.events.record(
        { type: EventType.GroupCreated, actor, nodeId: null, payload: { groupId: saved.id, name: saved.name } },
        manager,
      );
      return saved;
    });
    return this.get(saved.id);
  }

  async update(id: number, body: UpdateGroupDto, actor: string): Promise<GroupView> {
    await this.inTransaction(async (manager) => {
      const group = await this.groups.findByIdForUpdate(id, manager);
      if (!group) throw notFound(id);
      if (body.name !== undefined) await this.assertNameFree(body.name, id, manager);
      const changed = apply(group, body);
      if (!changed.length) return;
      await this.groups.save(group, manager);
      await this.events.record(
        { type: EventType.GroupUpdated, actor, nodeId: null, payload: { groupId: id, name: group.name, changed } },
        manager,
      );
    });
    return this.get(id);
  }

  /**
   * A group with nodes is refused (the nodes' foreign key decides, also against a node joining meanwhile), and so is
   * one whose seats are still being moved off a node that left it.
   */
  async remove(id: number, actor: string): Promise<void> {
    await this.inTransaction(async (manager) => {
      const group = await this.groups.findByIdForUpdate(id, manager);
      if (!group) throw notFound(id);
      if (await this.groups.hasSeats(id, manager)) {
        throw new DomainError(ErrorCode.GroupHasNodes, 'users still hold servers in the group; they are being moved');
      }
      await this.groups.remove(id, manager);
      await this.groups.leavePlans(id, manager);
      await this.events.record(
        { type: EventType.GroupDeleted, actor, nodeId: null, payload: { groupId: id, name: group.name } },
        manager,
      );
    });
  }

  /** The group a node names, or 404 naming the field. */
  async require(id: number, manager?: EntityManager): Promise<NodeGroup> {
    const group = await this.groups.findById(id, manager);
    if (!group) throw new DomainError(ErrorCode.GroupNotFound, `groupId: no group ${id}`);
    return group;
  }

  /** These groups, in group order (ids that name no group are left out). */
  ordered(ids: number[], manager?: EntityManager): Promise<NodeGroup[]> {
    return this.groups.ordered(ids, manager);
  }

  /**
   * A plan's groups from ids or names, as ids in group order: at least one, each group once, every one existing —
   * else a 4xx naming the entry (`groups[i]`).
   */
  async resolvePlan(refs: Array<number | string>, field = 'groups'): Promise<number[]> {
    if (!refs.length) throw new DomainError(ErrorCode.ValidationFailed, [`${field} must name at least one group`]);
    const ids = refs.filter((ref): ref is number => typeof ref === 'number');
    const names = refs.filter((ref): ref is string => typeof ref === 'string');
    const found = await this.groups.named(ids, names);
    const byId = new Map(found.map((group) => [group.id, group]));
    const byName = new Map(found.map((group) => [group.name.toLowerCase(), group]));
    const seen = new Map<number, NodeGroup>();
    for (const [i, ref] of refs.entries()) {
      const group = typeof ref === 'number' ? byId.get(ref) : byName.get(ref.toLowerCase());
      if (!group)
        throw new DomainError(ErrorCode.ValidationFailed, [`${field}[${i}]: no group ${JSON.stringify(ref)}`]);
      if (seen.has(group.id)) {
        throw new DomainError(ErrorCode.ValidationFailed, [`${field}[${i}]: group ${group.name} is named twice`]);
      }
      seen.set(group.id, group);
    }
    return [...seen.values()].sort((a, b) => a.sortOrder - b.sortOrder || a.id - b.id).map((group) => group.id);
  }

  /** Where a node created without a group goes: the first group in order. */
  async forNewNode(manager?: EntityManager): Promise<number> {
    const id = await this.groups.forNewNode(manager);
    if (id === null) throw new DomainError(ErrorCode.GroupNotFound, 'groupId: no group exists; create one first');
    return id;
  }

  private async assertNameFree(name: string, exceptId: number | null, manager: EntityManager): Promise<void> {
    if (await this.groups.nameTaken(name, exceptId, manager)) throw nameTaken(name);
  }

  private async inTransaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (error) {
      const constraint = error instanceof QueryFailedError && (error.driverError as { constraint?: string }).constraint;
      // Two writers racing for one name: the unique index decides, the loser gets the same 409.
      if (constraint === 'node_groups_name') throw nameTaken();
      if (constraint === 'nodes_group_id_fkey') {
        throw new DomainError(ErrorCode.GroupHasNodes, 'the group still has nodes; move or delete them first');
      }
      throw error;
    }
  }
}

/** Copies the given fields; answers the names of those that changed. */
function apply(group: NodeGroup, body: UpdateGroupDto): string[] {
  const changed: string[] = [];
  for (const field of FIELDS) {
    const value = body[field];
    if (value === undefined || group[field] === value) continue;
    Object.assign(group, { [field]: value });
    changed.push(field);
  }
  return changed;
}

function mapGroup({ group, nodeCount }: GroupListing): GroupView {
  return {
    id: group.id,
    name: group.name,
    countryCode: group.countryCode,
    sortOrder: group.sortOrder,
    defaultForNewUsers: group.defaultForNewUsers,
    nodeCount,
    createdAt: group.createdAt.toISOString(),
    updatedAt: group.updatedAt.toISOString(),
  };
}

function notFound(id: number): DomainError {
  return new DomainError(ErrorCode.GroupNotFound, `group ${id} not found`);
}

function nameTaken(name?: string): DomainError {
  return new DomainError(
    ErrorCode.GroupNameTaken,
    name ? `a group named "${name}" already exists` : 'a group with this name already exists',
  );
}
