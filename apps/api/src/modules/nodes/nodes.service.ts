import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { ConnectionTest, ErrorCode, EventType, NODE_DEFAULTS, NodeStatus, NodeView, Page } from '@fleet/contract';
import { SecretBox } from '../../common/crypto/secret-box';
import { DomainError } from '../../common/errors/domain-error';
import { EventsService } from '../events/events.service';
import { GroupsService } from '../groups/groups.service';
import { PanelConnectionService } from '../panels/panel-connection.service';
import type { PanelCredentials } from '../panels/panel-target';
import { PanelPoolService } from '../panels/panel-pool.service';
import { RecentInbounds } from '../panels/recent-inbounds';
import { CreateNodeDto, UpdateNodeDto } from './dto/node.dto';
import { InboundSnapshot, NodeEntity } from './node.entity';
import { listingOf, mapNode } from './node.mapper';
import type { NodeCandidate } from './node-candidate';
import type { DriftRecord } from './node-drift';
import { NodeDriftRepository } from './node-drift.repository';
import { NodeChanges } from './node-changes';
import { AfterCommit, NodeLifecycle } from './node-lifecycle';
import { HealthFields, NodeFilter, NodeLoadFacts, NodesRepository } from './nodes.repository';

/** Changes that point the node at another panel or inbound: it is checked again before it takes users. */
const PANEL_FIELDS = ['panelUrl', 'panelUsername', 'panelPassword', 'panelApiToken', 'inboundId', 'tlsVerify'];

/** Fields copied as they are from a request body onto the entity. */
const PLAIN_FIELDS = [
  'name',
  'description',
  'location',
  'panelUrl',
  'panelUsername',
  'inboundId',
  'publicHost',
  'tlsVerify',
  'maxUsers',
  'priority',
  'weight',
  'usageMultiplier',
  'status',
] as const;

@Injectable()
export class NodesService {
  constructor(
    private readonly nodes: NodesRepository,
    private readonly secrets: SecretBox,
    private readonly events: EventsService,
    private readonly dataSource: DataSource,
    private readonly pool: PanelPoolService,
    private readonly recentInbounds: RecentInbounds,
    private readonly connections: PanelConnectionService,
    private readonly changes: NodeChanges,
    private readonly drift: NodeDriftRepository,
    private readonly groups: GroupsService,
    private readonly lifecycle: NodeLifecycle,
  ) {}

  async testConnection(id: number): Promise<ConnectionTest> {
    return this.connections.test(await this.require(id));
  }

  /** Tries a panel that is not a node yet (the add-node wizard's first step); nothing is stored. */
  testPanel(panel: PanelCredentials): Promise<ConnectionTest> {
    return this.connections.testUnsaved(panel);
  }

  /** Every node that matches, or one page of them with `limit` (by `page`, or by key after the id `after`). */
  async list(filter: NodeFilter): Promise<Page<NodeView>> {
    const { rows, total } = await this.nodes.listing(filter);
    const last = rows.at(-1);
    return {
      items: rows.map(({ node, drift }) => mapNode(node, drift)),
      total,
      page: filter.page ?? 1,
      limit: filter.limit ?? total,
      nextCursor: filter.limit && rows.length === filter.limit && last ? String(last.node.id) : null,
    };
  }

  async get(id: number): Promise<NodeView> {
    const node = await this.require(id);
    return mapNode(listingOf(node), await this.drift.find(id));
  }

  async create(body: CreateNodeDto, actor: string): Promise<NodeView> {
    const saved = await this.inTransaction(async (manager) => {
      await this.assertNameFree(body.name, null, manager);
      const node = this.newNode();
      this.apply(node, body);
      await this.placeInGroup(node, body.groupId, manager);
      const saved = await this.nodes.save(node, manager);
      await this.events.record(
        {
          type: EventType.NodeCreated,
          actor,
          nodeId: saved.id,
          payload: { name: saved.name, panelUrl: saved.panelUrl },
        },
        manager,
      );
      return saved;
    });
    this.changes.saved(saved, true);
    return mapNode(listingOf(saved));
  }

  /**
   * Applies a PATCH. A node moved to another group takes its users' seats along where their plans name that group;
   * the others are moved to nodes of their own group (the regroup hooks: a `regroup` job).
   */
  async update(id: number, body: UpdateNodeDto, actor: string): Promise<NodeView> {
    let afterCommit: AfterCommit = () => undefined;
    const { node, changed } = await this.inTransaction(async (manager) => {
      if (body.groupId !== undefined) await this.lifecycle.regrouping(manager);
      const node = await this.nodes.findByIdForUpdate(id, manager);
      if (!node) throw notFound(id);
      if (body.name !== undefined) await this.assertNameFree(body.name, id, manager);
      const changed = this.apply(node, body);
      const fromGroupId = node.groupId;
      if (await this.placeInGroup(node, body.groupId, manager)) changed.push('groupId');
      if (changed.length === 0) return { node, changed };
      if (changed.includes('inboundId')) node.inboundSnapshot = null; // links wait for the new inbound's check
      const saved = await this.nodes.save(node, manager);
      await this.events.record(
        { type: EventType.NodeUpdated, actor, nodeId: id, payload: { name: saved.name, changed } },
        manager,
      );
      if (changed.includes('groupId'))
        afterCommit = await this.lifecycle.regrouped(saved, { fromGroupId, actor }, manager);
      return { node: saved, changed };
    });
    afterCommit();
    if (changed.length)
      this.changes.saved(
        node,
        changed.some((field) => PANEL_FIELDS.includes(field)),
      );
    return mapNode(listingOf(node));
  }

  /** Sets the admin status (drain, deletion) in the caller's transaction, as an update with its event. */
  async setStatus(node: NodeEntity, status: NodeStatus, actor: string, manager: EntityManager): Promise<void> {
    if (node.status === status) return;
    node.status = status;
    await this.nodes.save(node, manager);
    await this.events.record(
      { type: EventType.NodeUpdated, actor, nodeId: node.id, payload: { name: node.name, changed: ['status'] } },
      manager,
    );
  }

  /** A node created without an inbound takes its panel's only usable one (found by a health check). */
  async chooseInbound(node: NodeEntity, inboundId: number, manager: EntityManager): Promise<void> {
    node.inboundId = inboundId;
    await this.nodes.save(node, manager);
    await this.events.record(
      {
        type: EventType.NodeUpdated,
        actor: 'system:health',
        nodeId: node.id,
        payload: { name: node.name, changed: ['inboundId'], inboundId, why: 'the only usable inbound on its panel' },
      },
      manager,
    );
  }

  /** Deletes a node that serves nobody; a node with users is refused (EvacuationService moves them first). */
  async remove(id: number, actor: string): Promise<void> {
    await this.inTransaction(async (manager) => {
      const node = await this.nodes.findByIdForUpdate(id, manager);
      if (!node) throw notFound(id);
      // The counter counts active and pending assignments; the row lock above makes it exact.
      const liveUsers = node.currentUsers;
      if (liveUsers > 0) {
        throw new DomainError(
          ErrorCode.NodeHasUsers,
          `node ${node.name} still serves ${liveUsers} users that could not be moved; nothing was deleted`,
        );
      }
      await this.events.record(
        { type: EventType.NodeDeleted, actor, nodeId: null, payload: { nodeId: id, name: node.name } },
        manager,
      );
      await this.nodes.remove(id, manager);
    });
    this.pool.release(id);
    this.recentInbounds.forget(id);
  }

  /** The node's row, for modules that act on it (the API's view is `get`). */
  findById(id: number, manager?: EntityManager): Promise<NodeEntity | null> {
    return this.nodes.findById(id, manager);
  }

  /** The node's row, locked until the transaction ends (writes to one node serialise). */
  lockForUpdate(id: number, manager: EntityManager): Promise<NodeEntity | null> {
    return this.nodes.findByIdForUpdate(id, manager);
  }

  /** A health check's outcome on the node's row, in the caller's transaction (which holds the row's lock). */
  recordHealth(nodeId: number, fields: HealthFields, manager: EntityManager): Promise<void> {
    return this.nodes.recordHealth(nodeId, fields, manager);
  }

  /** These nodes' rows (those that exist). */
  findByIds(ids: number[]): Promise<NodeEntity[]> {
    return this.nodes.findByIds(ids);
  }

  /** Every node, in id order. */
  findAll(): Promise<NodeEntity[]> {
    return this.nodes.findAll();
  }

  /** Every node's load and what decides its eligibility, in id order (loads and rebalance plans). */
  loadFacts(): Promise<NodeLoadFacts[]> {
    return this.nodes.loadFacts();
  }

  /** Node-level counts for the dashboard. */
  fleetCounts() {
    return this.nodes.fleetCounts();
  }

  /** Free seats on the eligible nodes of this node's group, itself left out: where its users' seats can go. */
  freeSeatsBeside(nodeId: number): Promise<number> {
    return this.nodes.freeSeatsBeside(nodeId);
  }

  /** Active nodes whose last reconcile left differences from their panel. */
  countDrifting(): Promise<number> {
    return this.drift.countDrifting();
  }

  /** The last reconcile's drift of each of these nodes that has one. */
  driftOf(nodeIds: number[]): Promise<Map<number, DriftRecord>> {
    return this.drift.findMany(nodeIds);
  }

  /** The node's last reconcile, or null when it was never reconciled. */
  lastDrift(nodeId: number): Promise<DriftRecord | null> {
    return this.drift.find(nodeId);
  }

  /** A reconcile's outcome becomes the node's drift (replacing the last one). */
  recordDrift(record: DriftRecord): Promise<void> {
    return this.drift.save(record);
  }

  /** The panel's inbound changed (a port, stream settings): links and new clients follow it from now on. */
  refreshInbound(nodeId: number, snapshot: InboundSnapshot): Promise<void> {
    return this.nodes.refreshInbound(nodeId, snapshot);
  }

  /** What placement ranks, in the caller's transaction (it runs under the placement lock). */
  candidates(manager: EntityManager): Promise<NodeCandidate[]> {
    return this.nodes.candidates(manager);
  }

  /**
   * Takes `count` seats on each node, the eligibility rule and the capacity re-checked in the same statement: a node
   * that cannot take all its seats takes none. Answers the nodes that took theirs.
   */
  takeSeats(seats: Map<number, number>, manager: EntityManager): Promise<Set<number>> {
    return this.nodes.takeSeats(seats, manager);
  }

  /** Gives seats back (never below zero). */
  releaseSeats(seats: Map<number, number>, manager: EntityManager): Promise<void> {
    return this.nodes.releaseSeats(seats, manager);
  }

  /** Users placed on the node outside the move engine (adoption), on its counter. */
  addSeats(nodeId: number, count: number, manager: EntityManager): Promise<void> {
    return this.nodes.addSeats(nodeId, count, manager);
  }

  /** An unsaved node with the contract's defaults, ready for `apply`. */
  newNode(): NodeEntity {
    return this.nodes.create({
      ...NODE_DEFAULTS,
      description: null,
      location: null,
      inboundId: null,
      inboundSnapshot: null,
      publicHost: null,
      panelApiTokenEncrypted: null,
    });
  }

  /**
   * Puts the node in the group named (which must exist), a new node without one in the first group; answers whether
   * the group changed.
   */
  async placeInGroup(node: NodeEntity, groupId: number | undefined, manager: EntityManager): Promise<boolean> {
    if (groupId === undefined) {
      if (node.groupId !== undefined) return false;
      node.groupId = await this.groups.forNewNode(manager);
      return true;
    }
    if (node.groupId === groupId) return false;
    await this.groups.require(groupId, manager);
    node.groupId = groupId;
    return true;
  }

  /** Copies the body onto the entity, encrypting secrets; returns the names of the fields that changed. */
  apply(node: NodeEntity, body: CreateNodeDto | UpdateNodeDto): string[] {
    const changed: string[] = [];
    for (const field of PLAIN_FIELDS) {
      const value = body[field];
      if (value === undefined || node[field] === value) continue;
      (node as unknown as Record<string, unknown>)[field] = value;
      changed.push(field);
    }
    if (body.panelPassword !== undefined && !this.secretEquals(node.panelPasswordEncrypted, body.panelPassword)) {
      node.panelPasswordEncrypted = this.secrets.encrypt(body.panelPassword);
      changed.push('panelPassword');
    }
    if (body.panelApiToken !== undefined && !this.secretEquals(node.panelApiTokenEncrypted, body.panelApiToken)) {
      node.panelApiTokenEncrypted = body.panelApiToken === null ? null : this.secrets.encrypt(body.panelApiToken);
      changed.push('panelApiToken');
    }
    return changed;
  }

  private secretEquals(stored: string | null | undefined, plain: string | null): boolean {
    if (stored === undefined) return false;
    if (stored === null || plain === null) return stored === plain;
    return this.secrets.decrypt(stored) === plain;
  }

  private async require(id: number): Promise<NodeEntity> {
    const node = await this.nodes.findById(id);
    if (!node) throw notFound(id);
    return node;
  }

  private async assertNameFree(name: string, exceptId: number | null, manager: EntityManager): Promise<void> {
    const existing = await this.nodes.findByName(name, manager);
    if (existing && existing.id !== exceptId) throw nameTaken(name);
  }

  private async inTransaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (error) {
      // Two creates racing for one name: the unique index decides, the loser gets the same 409.
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { constraint?: string }).constraint === 'nodes_name_key'
      ) {
        throw nameTaken();
      }
      throw error;
    }
  }
}

function notFound(id: number): DomainError {
  return new DomainError(ErrorCode.NodeNotFound, `node ${id} not found`);
}

function nameTaken(name?: string): DomainError {
  return new DomainError(
    ErrorCode.NodeNameTaken,
    name ? `a node named "${name}" already exists` : 'a node with this name already exists',
  );
}
