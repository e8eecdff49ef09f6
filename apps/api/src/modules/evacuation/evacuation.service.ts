import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ErrorCode, JobKind } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { AssignmentsService } from '../assignments/assignments.service';
import { MoveEngine } from '../assignments/move-engine.service';
import { JobRunnerService } from '../jobs/job-runner.service';
import { JobsService } from '../jobs/jobs.service';
import { NodeEntity } from '../nodes/node.entity';
import { NodeLifecycle } from '../nodes/node-lifecycle';
import { NodesService } from '../nodes/nodes.service';

/**
 * Emptying a node: deletion (its users moved first, then the node goes), drain (maintenance, users moved away) and
 * failover (a node that fell: its users queued for a move in the transition's own transaction).
 */
@Injectable()
export class EvacuationService implements OnModuleInit {
  private readonly logger = new Logger(EvacuationService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly nodes: NodesService,
    private readonly assignments: AssignmentsService,
    private readonly jobs: JobsService,
    private readonly runner: JobRunnerService,
    private readonly lifecycle: NodeLifecycle,
    private readonly engine: MoveEngine,
  ) {}

  /**
   * A fall queues the node's users for a move in the transaction that records it; the job starts once committed. A
   * move to another group does the same for the seats that cannot follow the node (a `regroup` job).
   */
  onModuleInit(): void {
    this.lifecycle.onFell(async (node, manager) => {
      const jobId = await this.startFailover(node, manager);
      if (jobId !== null) return () => this.runner.kick();
    });
    this.lifecycle.onRegrouped({
      // Before the node's row, as reservation batches take them: no placement decides on the old group meanwhile.
      prepare: (manager) => this.engine.holdReservations(manager),
      moved: async (node, { actor }, manager) => {
        const jobId = await this.regroup(node, actor, manager);
        if (jobId !== null) return () => this.runner.kick();
      },
    });
  }

  /**
   * The node is in another group now: seats there follow it where their users' plans name the new group (and hold no
   * seat in it yet); the others are queued to move to nodes of their own group. Refused while a placement or move
   * onto the node is under way (it would land in the old group after this).
   */
  private async regroup(node: NodeEntity, actor: string, manager: EntityManager): Promise<number | null> {
    if (await this.assignments.pendingOn(node.id, manager)) {
      throw new DomainError(
        ErrorCode.MoveInProgress,
        `groupId: users are being placed on node ${node.name} right now; try again in a moment`,
      );
    }
    const followed = await this.assignments.followNode(node.id, node.groupId, manager);
    const users = await this.assignments.activeUsersOf(node.id, manager, { outsideGroup: node.groupId });
    if (followed) this.logger.log(`node ${node.name} changed group: ${followed} seat(s) follow it`);
    if (!users.length) return null;
    const job = await this.jobs.create(
      'regroup',
      users.map((userId) => ({ userId, fromNodeId: node.id, toNodeId: null })),
      { actor, nodeId: node.id },
      manager,
    );
    return job.id;
  }

  /**
   * An empty node goes at once (null); a node with users is taken out of placement and a `node-delete` job moves
   * them, then deletes it. Refused (409, nothing changed) when the other eligible nodes lack the seats. A second
   * deletion of the same node finds the first one's job.
   */
  async remove(nodeId: number, actor: string): Promise<{ jobId: number } | null> {
    const jobId = await this.dataSource.transaction(async (manager) => {
      const node = await this.lock(nodeId, manager);
      const running = await this.jobs.findUnfinished('node-delete', nodeId, manager);
      if (running) return running.id;
      const live = await this.assignments.countLive(nodeId, manager);
      if (live === 0) return null;
      // Its users' seats move within its group.
      const free = await this.nodes.freeSeatsBeside(nodeId);
      if (free < live) {
        throw new DomainError(
          ErrorCode.NodeHasUsers,
          `node ${node.name} serves ${live} users but the other eligible nodes of its group have ${free} free seats; nothing was deleted`,
        );
      }
      await this.nodes.setStatus(node, 'inactive', actor, manager);
      return this.evacuate(node, 'node-delete', actor, manager);
    });
    if (jobId === null) {
      await this.nodes.remove(nodeId, actor);
      return null;
    }
    this.runner.kick();
    return { jobId };
  }

  /** Puts the node in maintenance (no new users) and moves its users away with a `drain` job. */
  async drain(nodeId: number, actor: string): Promise<{ jobId: number | null }> {
    const jobId = await this.dataSource.transaction(async (manager) => {
      const node = await this.lock(nodeId, manager);
      await this.nodes.setStatus(node, 'maintenance', actor, manager);
      return this.evacuate(node, 'drain', actor, manager);
    });
    if (jobId !== null) this.runner.kick();
    return { jobId };
  }

  /** The node fell: every active user queued for a move, in the caller's (the transition's) transaction. */
  private async startFailover(node: NodeEntity, manager: EntityManager): Promise<number | null> {
    const jobId = await this.evacuate(node, 'failover', 'system:health', manager);
    if (jobId !== null) this.logger.warn(`node ${node.name} is down: failover job ${jobId} moves its users`);
    return jobId;
  }

  /** A failover leaves users who may not use the service where they are (their seat still counts). */
  private async evacuate(node: NodeEntity, kind: JobKind, actor: string, manager: EntityManager) {
    const users = await this.assignments.activeUsersOf(node.id, manager, { servingOnly: kind === 'failover' });
    if (!users.length) return null;
    const job = await this.jobs.create(
      kind,
      users.map((userId) => ({ userId, fromNodeId: node.id, toNodeId: null })),
      { actor, nodeId: node.id },
      manager,
    );
    return job.id;
  }

  private async lock(nodeId: number, manager: EntityManager): Promise<NodeEntity> {
    const node = await this.nodes.lockForUpdate(nodeId, manager);
    if (!node) throw new DomainError(ErrorCode.NodeNotFound, `node ${nodeId} not found`);
    return node;
  }
}
