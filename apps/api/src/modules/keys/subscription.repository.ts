import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { NodeEntity } from '../nodes/node.entity';
import { VpnUser } from '../users/vpn-user.entity';

/** What a subscription link needs of the user's active node: whether it serves, and how to reach it. */
export type SubscriptionNode = Pick<
  NodeEntity,
  | 'id'
  | 'status'
  | 'healthStatus'
  | 'inboundId'
  | 'inboundSnapshot'
  | 'publicHost'
  | 'panelUrl'
  | 'currentUsers'
  | 'maxUsers'
>;

const BY_TOKEN = `
  SELECT u.*, n.id AS node_id, n.status AS node_status, n.health_status AS node_health,
         n.inbound_id AS node_inbound_id, n.inbound_snapshot AS node_inbound_snapshot,
         n.public_host AS node_public_host, n.panel_url AS node_panel_url,
         n.current_users AS node_current_users, n.max_users AS node_max_users
    FROM vpn_users u
    LEFT JOIN assignments a ON a.user_id = u.id AND a.state = 'active'
    LEFT JOIN nodes n ON n.id = a.node_id
   WHERE u.subscription_token = $1
   LIMIT 1`;

/**
 * The one query behind `GET /sub/:token`: the user and their active node, never the node's secrets. The route
 * every VPN app polls: a statement prepared once per connection, mapped to the entity without the query builder.
 */
@Injectable()
export class SubscriptionRepository {
  private readonly pool: Pool;
  private readonly columns: Array<{ db: string; property: string }>;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.pool = (dataSource.driver as unknown as { master: Pool }).master;
    this.columns = dataSource
      .getMetadata(VpnUser)
      .columns.map((column) => ({ db: column.databaseName, property: column.propertyName }));
  }

  async byToken(token: string): Promise<{ user: VpnUser; node: SubscriptionNode | null } | null> {
    const { rows } = await this.pool.query<Record<string, unknown>>({
      name: 'subscription-by-token',
      text: BY_TOKEN,
      values: [token],
    });
    if (!rows.length) return null;
    const row = rows[0];
    const user = Object.assign(
      new VpnUser(),
      Object.fromEntries(this.columns.map(({ db, property }) => [property, row[db]])),
    );
    const node: SubscriptionNode | null =
      row['node_id'] === null
        ? null
        : {
            id: row['node_id'] as number,
            status: row['node_status'] as NodeEntity['status'],
            healthStatus: row['node_health'] as NodeEntity['healthStatus'],
            inboundId: row['node_inbound_id'] as number | null,
            inboundSnapshot: row['node_inbound_snapshot'] as NodeEntity['inboundSnapshot'],
            publicHost: row['node_public_host'] as string | null,
            panelUrl: row['node_panel_url'] as string,
            currentUsers: row['node_current_users'] as number,
            maxUsers: row['node_max_users'] as number,
          };
    return { user, node };
  }
}
