import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Not, Repository } from 'typeorm';
import { Assignment } from '../assignments/assignment.entity';
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

  /** Takes one seat on an eligible node, atomically; false when the node is full or no longer eligible. */
  async reserveSeat(nodeId: number, manager: EntityManager): Promise<boolean> {
    const result = await manager.query(
      `UPDATE nodes SET current_users = current_users + 1
        WHERE id = $1 AND current_users < max_users AND status = 'active' AND health_status = 'healthy'
          AND inbound_snapshot IS NOT NULL`,
      [nodeId],
    );
    return result[1] > 0;
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

  countActiveAssignments(nodeId: number, manager: EntityManager): Promise<number> {
    return manager.getRepository(Assignment).countBy({ nodeId, state: Not('released') });
  }
}
