import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Not, Repository } from 'typeorm';
import { Assignment } from '../assignments/assignment.entity';
import type { NodeCandidate } from '../balancer/balancer.policy';
import { NodeEntity } from './node.entity';

/** Every node query lives here. Methods take an optional EntityManager to join the caller's transaction. */
@Injectable()
export class NodesRepository {
  constructor(@InjectRepository(NodeEntity) private readonly nodes: Repository<NodeEntity>) {}

  private repo(manager?: EntityManager): Repository<NodeEntity> {
    return manager ? manager.getRepository(NodeEntity) : this.nodes;
  }

  findAll(): Promise<NodeEntity[]> {
    return this.nodes.find({ order: { id: 'ASC' } });
  }

  findById(id: number, manager?: EntityManager): Promise<NodeEntity | null> {
    return this.repo(manager).findOneBy({ id });
  }

  /** Locks the row until the transaction ends, so concurrent edits of one node serialise. */
  findByIdForUpdate(id: number, manager: EntityManager): Promise<NodeEntity | null> {
    return manager.getRepository(NodeEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  findByName(name: string, manager?: EntityManager): Promise<NodeEntity | null> {
    return this.repo(manager).createQueryBuilder('n').where('lower(n.name) = lower(:name)', { name }).getOne();
  }

  save(node: NodeEntity, manager: EntityManager): Promise<NodeEntity> {
    return manager.getRepository(NodeEntity).save(node);
  }

  create(fields: Partial<NodeEntity>): NodeEntity {
    return this.nodes.create(fields);
  }

  async remove(id: number, manager: EntityManager): Promise<void> {
    await manager.getRepository(NodeEntity).delete(id);
  }

  /** What placement ranks, in one lean query (it runs under the placement lock). */
  async candidates(manager: EntityManager): Promise<NodeCandidate[]> {
    const rows: Array<Record<string, unknown>> = await manager.query(
      `SELECT id, location, status, health_status, current_users, max_users, priority, weight,
              (inbound_id IS NOT NULL AND inbound_snapshot IS NOT NULL) AS inbound_known
         FROM nodes`,
    );
    return rows.map((row) => ({
      id: row['id'] as number,
      location: row['location'] as string | null,
      status: row['status'] as NodeCandidate['status'],
      healthStatus: row['health_status'] as NodeCandidate['healthStatus'],
      currentUsers: row['current_users'] as number,
      maxUsers: row['max_users'] as number,
      priority: row['priority'] as number,
      weight: row['weight'] as number,
      inboundKnown: row['inbound_known'] as boolean,
    }));
  }

  async releaseSeats(nodeId: number, count: number, manager: EntityManager): Promise<void> {
    await manager.query(`UPDATE nodes SET current_users = GREATEST(current_users - $2, 0) WHERE id = $1`, [
      nodeId,
      count,
    ]);
  }

  async addSeats(nodeId: number, count: number, manager: EntityManager): Promise<void> {
    await manager.query(`UPDATE nodes SET current_users = current_users + $2 WHERE id = $1`, [nodeId, count]);
  }

  /** Users on the node: active assignments and placements under way (what its counter counts). */
  countLiveAssignments(nodeId: number, manager: EntityManager): Promise<number> {
    return manager.getRepository(Assignment).countBy({ nodeId, state: Not('released') });
  }
}
