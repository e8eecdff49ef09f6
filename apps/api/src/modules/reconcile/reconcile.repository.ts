import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { UserIdentity } from '../assignments/panel-identity';
import { identityColumns, mapIdentity, userOfRow } from '../users/user.mapper';

export interface LiveClient {
  clientEmail: string;
  inboundId: number;
  state: 'active' | 'pending';
  user: UserIdentity;
}

/** The reads a reconcile makes of the database, each one query per node. */
@Injectable()
export class ReconcileRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The node's active and pending clients, with their users' identities. */
  async liveClients(nodeId: number): Promise<LiveClient[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT a.client_email, a.inbound_id, a.state, ${identityColumns('u')}
         FROM assignments a
         JOIN vpn_users u ON u.id = a.user_id
        WHERE a.node_id = $1 AND a.state <> 'released'`,
      [nodeId],
    );
    return rows.map((row) => ({
      clientEmail: row['client_email'] as string,
      inboundId: row['inbound_id'] as number,
      state: row['state'] as LiveClient['state'],
      user: mapIdentity(userOfRow(row)),
    }));
  }

  /** Emails (lower-cased) of the node's active and pending clients, now: a correction is checked against them. */
  async liveEmails(nodeId: number): Promise<Set<string>> {
    const rows: Array<{ email: string }> = await this.dataSource.query(
      `SELECT lower(client_email) AS email FROM assignments WHERE node_id = $1 AND state <> 'released'`,
      [nodeId],
    );
    return new Set(rows.map((row) => row.email));
  }

  /** Which of these users' clients on the node still wait for their access to be written (after a repair). */
  async behindOnAccess(nodeId: number, userIds: number[]): Promise<Set<number>> {
    const rows: Array<{ user_id: number }> = await this.dataSource.query(
      `SELECT a.user_id FROM assignments a JOIN vpn_users u ON u.id = a.user_id
        WHERE a.node_id = $1 AND a.user_id = ANY($2::int[]) AND a.state = 'active'
          AND a.access_version < u.access_version`,
      [nodeId, userIds],
    );
    return new Set(rows.map((row) => row.user_id));
  }

  /** Emails (lower-cased) of the clients that must leave the node's panel. */
  async tombstonedEmails(nodeId: number): Promise<Set<string>> {
    const rows: Array<{ email: string }> = await this.dataSource.query(
      `SELECT lower(client_email) AS email FROM panel_tombstones WHERE node_id = $1`,
      [nodeId],
    );
    return new Set(rows.map((row) => row.email));
  }
}
