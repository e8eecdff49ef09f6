import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ErrorCode } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { toCandidate } from '../assignments/placement.service';
import { ineligibility } from '../balancer/balancer.policy';
import { NodesRepository } from '../nodes/nodes.repository';
import { NodesService } from '../nodes/nodes.service';
import { JobRunnerService } from './job-runner.service';
import { JobsService } from './jobs.service';

/**
 * `DELETE /nodes/:id`: an empty node goes at once; a node with users is first taken out of placement and its users
 * moved by a durable job, which deletes the node at the end. Refused (409, nothing changed) when the other eligible
 * nodes lack the free seats for everyone.
 */
@Injectable()
export class NodeRemovalService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly nodes: NodesRepository,
    private readonly nodesService: NodesService,
    private readonly jobs: JobsService,
    private readonly runner: JobRunnerService,
  ) {}

  async remove(nodeId: number, actor: string): Promise<{ jobId: number } | null> {
    const job = await this.dataSource.transaction(async (manager) => {
      const node = await this.nodes.findByIdForUpdate(nodeId, manager);
      if (!node) throw new DomainError(ErrorCode.NodeNotFound, `node ${nodeId} not found`);
      // A second deletion waits on the row lock above, then finds the first one's job.
      const running = await this.jobs.findUnfinished('node-delete', nodeId, manager);
      if (running) return running;
      const users: Array<{ user_id: number }> = await manager.query(
        `SELECT user_id FROM assignments WHERE node_id = $1 AND state = 'active' ORDER BY id`,
        [nodeId],
      );
      const live = await this.nodes.countLiveAssignments(nodeId, manager);
      if (live === 0) return null;
      const others = (await this.nodes.findAll()).filter((other) => other.id !== nodeId);
      const free = others
        .filter((other) => ineligibility(toCandidate(other)) === null)
        .reduce((sum, other) => sum + (other.maxUsers - other.currentUsers), 0);
      if (free < live) {
        throw new DomainError(
          ErrorCode.NodeHasUsers,
          `node ${node.name} serves ${live} users but the other eligible nodes have ${free} free seats; nothing was deleted`,
        );
      }
      await manager.query(`UPDATE nodes SET status = 'inactive' WHERE id = $1`, [nodeId]);
      return this.jobs.create(
        'node-delete',
        users.map((row) => ({ userId: row.user_id, fromNodeId: nodeId, toNodeId: null })),
        { actor, nodeId },
        manager,
      );
    });
    if (!job) {
      await this.nodesService.remove(nodeId, actor);
      return null;
    }
    this.runner.kick();
    return { jobId: job.id };
  }

  /** Puts the node in maintenance (no new users) and moves its users away with a `drain` job. */
  async drain(nodeId: number, actor: string): Promise<{ jobId: number | null }> {
    const job = await this.dataSource.transaction(async (manager) => {
      const node = await this.nodes.findByIdForUpdate(nodeId, manager);
      if (!node) throw new DomainError(ErrorCode.NodeNotFound, `node ${nodeId} not found`);
      await manager.query(`UPDATE nodes SET status = 'maintenance', updated_at = now() WHERE id = $1`, [nodeId]);
      const users: Array<{ user_id: number }> = await manager.query(
        `SELECT user_id FROM assignments WHERE node_id = $1 AND state = 'active' ORDER BY id`,
        [nodeId],
      );
      if (!users.length) return null;
      return this.jobs.create(
        'drain',
        users.map((row) => ({ userId: row.user_id, fromNodeId: nodeId, toNodeId: null })),
        { actor, nodeId },
        manager,
      );
    });
    if (job) this.runner.kick();
    return { jobId: job?.id ?? null };
  }
}
