import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { sqlArray } from '../../common/database/sql-array';
import { Tombstone } from './tombstone.entity';

export interface TombstoneFields {
  nodeId: number;
  inboundId: number;
  clientEmail: string;
  clientUuid: string | null;
  reason: string;
}

/** Every query on `panel_tombstones`. */
@Injectable()
export class TombstonesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Writes (or refreshes) tombstones in the caller's transaction; one per (node, client email). */
  async record(rows: TombstoneFields[], manager: EntityManager): Promise<void> {
    if (!rows.length) return;
    await manager.query(
      `INSERT INTO panel_tombstones (node_id, inbound_id, client_email, client_uuid, reason)
       SELECT * FROM unnest($1::int[], $2::int[], $3::varchar[], $4::uuid[], $5::varchar[])
       ON CONFLICT (node_id, client_email) DO UPDATE SET reason = EXCLUDED.reason, inbound_id = EXCLUDED.inbound_id`,
      [
        sqlArray(rows.map((row) => row.nodeId)),
        sqlArray(rows.map((row) => row.inboundId)),
        rows.map((row) => row.clientEmail),
        rows.map((row) => row.clientUuid),
        rows.map((row) => row.reason),
      ],
    );
  }

  /** The clients are wanted on those nodes again (a user came back): their pending deletions no longer apply. */
  async cancel(clients: Array<{ nodeId: number; clientEmail: string }>, manager: EntityManager): Promise<void> {
    if (!clients.length) return;
    await manager.query(
      `DELETE FROM panel_tombstones t USING unnest($1::int[], $2::varchar[]) AS c(node_id, email)
        WHERE t.node_id = c.node_id AND t.client_email = c.email`,
      [sqlArray(clients.map((client) => client.nodeId)), clients.map((client) => client.clientEmail)],
    );
  }

  /** Oldest first: every node's, or one node's (optionally only these emails). */
  due(filter: { nodeId?: number; emails?: string[] }, limit: number): Promise<Tombstone[]> {
    const where: Record<string, unknown> = {};
    if (filter.nodeId !== undefined) where['nodeId'] = filter.nodeId;
    if (filter.emails) where['clientEmail'] = In(filter.emails);
    return this.dataSource.getRepository(Tombstone).find({ where, order: { id: 'ASC' }, take: limit });
  }

  async remove(id: number): Promise<void> {
    await this.dataSource.getRepository(Tombstone).delete(id);
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.dataSource
      .getRepository(Tombstone)
      .update(id, { attempts: () => 'attempts + 1', lastError: error.slice(0, 1000) });
  }
}
