import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource, ValueTransformer } from 'typeorm';
import type { InboundSnapshot, NodeEntity } from '../nodes/node.entity';
import { VpnUser } from '../users/vpn-user.entity';

/** What a subscription link needs of a seat's node: whether it serves, and how to reach it. */
export type SubscriptionNode = Pick<
  NodeEntity,
  | 'id'
  | 'status'
  | 'healthStatus'
  | 'inboundId'
  | 'inboundSnapshot'
  | 'publicHost'
  | 'location'
  | 'panelUrl'
  | 'currentUsers'
  | 'maxUsers'
>;

/** One of the user's servers: the group it stands for (the link's name) and the node serving it. */
export interface SubscriptionSeat {
  group: { id: number; name: string; countryCode: string | null };
  node: SubscriptionNode;
}

/** What the route reads of the user: identity and access (links and headers), nothing else. */
const USER_PROPERTIES = [
  'id',
  'uuid',
  'telegramId',
  'username',
  'accessVersion',
  'enabled',
  'expiresAt',
  'holdDays',
  'trafficLimitBytes',
  'trafficReset',
  'periodStart',
  'nextResetAt',
  'usedBytes',
  'usedUpBytes',
  'deviceLimit',
  'note',
  'planGroups',
];

const byToken = (userColumns: string) => `
  SELECT ${userColumns}, n.id AS node_id, n.xmin::text AS node_version, n.status AS node_status,
         n.health_status AS node_health, n.inbound_id AS node_inbound_id,
         n.inbound_snapshot IS NOT NULL AS node_inbound_read, n.public_host AS node_public_host, n.location AS node_location,
         n.panel_url AS node_panel_url, n.current_users AS node_current_users, n.max_users AS node_max_users,
         g.id AS group_id, g.name AS group_name, g.country_code AS group_country
    FROM vpn_users u
    LEFT JOIN assignments a ON a.user_id = u.id AND a.state = 'active'
    LEFT JOIN nodes n ON n.id = a.node_id
    LEFT JOIN node_groups g ON g.id = a.group_id
   WHERE u.subscription_token = $1
   ORDER BY g.sort_order, g.id`;

const INBOUND = `SELECT xmin::text AS version, inbound_snapshot FROM nodes WHERE id = $1`;

/**
 * The query behind `GET /sub/:token`: the user and their seats' nodes in group order, never the nodes' secrets. The route every VPN
 * app polls: a statement prepared once per connection, mapped to the entity without the query builder. The node's
 * inbound (the link's template) is kept per replica at its row version and read again only when the row changed.
 */
@Injectable()
export class SubscriptionRepository {
  private readonly pool: Pool;
  private readonly columns: Array<{ db: string; property: string; transformer?: ValueTransformer }>;
  private readonly query: string;
  private readonly inbounds = new Map<number, { version: string; snapshot: InboundSnapshot | null }>();

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.pool = (dataSource.driver as unknown as { master: Pool }).master;
    this.columns = dataSource
      .getMetadata(VpnUser)
      .columns.filter((column) => USER_PROPERTIES.includes(column.propertyName))
      .map((column) => ({
        db: column.databaseName,
        property: column.propertyName,
        transformer: column.transformer as ValueTransformer | undefined,
      }));
    this.query = byToken(this.columns.map(({ db }) => `u.${db}`).join(', '));
  }

  async byToken(token: string): Promise<{ user: VpnUser; seats: SubscriptionSeat[] } | null> {
    const { rows } = await this.pool.query<Record<string, unknown>>({
      name: 'subscription-by-token',
      text: this.query,
      values: [token],
    });
    if (!rows.length) return null;
    const row = rows[0];
    const user = Object.assign(
      new VpnUser(),
      Object.fromEntries(
        this.columns.map(({ db, property, transformer }) => [
          property,
          transformer ? transformer.from(row[db]) : row[db],
        ]),
      ),
    );
    const seats: SubscriptionSeat[] = [];
    for (const seat of rows) {
      if (seat['node_id'] === null || seat['group_id'] === null) continue;
      const id = seat['node_id'] as number;
      const version = seat['node_version'] as string;
      // The inbound as kept at this row version (the usual case), or read again.
      const kept = this.inbounds.get(id);
      const snapshot = !seat['node_inbound_read']
        ? null
        : kept?.version === version
          ? kept.snapshot
          : await this.inbound(id);
      seats.push(seatOf(seat, snapshot));
    }
    return { user, seats };
  }

  private async inbound(nodeId: number): Promise<InboundSnapshot | null> {
    const { rows } = await this.pool.query<{ version: string; inbound_snapshot: InboundSnapshot | null }>({
      name: 'subscription-inbound',
      text: INBOUND,
      values: [nodeId],
    });
    if (!rows.length) return null;
    this.inbounds.set(nodeId, { version: rows[0].version, snapshot: rows[0].inbound_snapshot });
    return rows[0].inbound_snapshot;
  }
}

function seatOf(row: Record<string, unknown>, inboundSnapshot: InboundSnapshot | null): SubscriptionSeat {
  return {
    group: {
      id: row['group_id'] as number,
      name: row['group_name'] as string,
      countryCode: row['group_country'] as string | null,
    },
    node: {
      id: row['node_id'] as number,
      status: row['node_status'] as NodeEntity['status'],
      healthStatus: row['node_health'] as NodeEntity['healthStatus'],
      inboundId: row['node_inbound_id'] as number | null,
      inboundSnapshot,
      publicHost: row['node_public_host'] as string | null,
      location: row['node_location'] as string | null,
      panelUrl: row['node_panel_url'] as string,
      currentUsers: row['node_current_users'] as number,
      maxUsers: row['node_max_users'] as number,
    },
  };
}
