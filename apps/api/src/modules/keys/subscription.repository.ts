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
  SELECT ${userColumns}, n.id AS node_id, n.xmin::text AS node_version, g.id AS group_id, g.xmin::text AS group_version
    FROM vpn_users u
    LEFT JOIN assignments a ON a.user_id = u.id AND a.state = 'active'
    LEFT JOIN nodes n ON n.id = a.node_id
    LEFT JOIN node_groups g ON g.id = a.group_id
   WHERE u.subscription_token = $1
   ORDER BY g.sort_order, g.id`;

const NODE = `
  SELECT xmin::text AS version, status, health_status, inbound_id, inbound_snapshot, public_host, location, panel_url,
         current_users, max_users
    FROM nodes WHERE id = $1`;

const GROUP = `SELECT xmin::text AS version, name, country_code FROM node_groups WHERE id = $1`;

/** A row as kept by this replica, with the row version (`xmin`) it was read at. */
interface Kept<T> {
  version: string;
  value: T;
}

/**
 * The query behind `GET /sub/:token`: the user and their seats in group order, never the nodes' secrets. The route
 * every VPN app polls: a statement prepared once per connection, mapped to the entity without the query builder.
 * Each seat's node and group are kept per replica at their row versions and read again only when a row changed, so
 * a fetch reads the user and the versions alone.
 */
@Injectable()
export class SubscriptionRepository {
  private readonly pool: Pool;
  private readonly columns: Array<{ db: string; property: string; transformer?: ValueTransformer }>;
  private readonly query: string;
  private readonly nodes = new Map<number, Kept<SubscriptionNode>>();
  private readonly groups = new Map<number, Kept<SubscriptionSeat['group']>>();

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
      const [node, group] = await Promise.all([
        this.kept(this.nodes, seat['node_id'] as number, seat['node_version'] as string, (id) => this.node(id)),
        this.kept(this.groups, seat['group_id'] as number, seat['group_version'] as string, (id) => this.group(id)),
      ]);
      // A row deleted since the query: the seat goes with it.
      if (node && group) seats.push({ node, group });
    }
    return { user, seats };
  }

  /** The row as kept at this version (the usual case), or read again. */
  private async kept<T>(
    cache: Map<number, Kept<T>>,
    id: number,
    version: string,
    read: (id: number) => Promise<Kept<T> | null>,
  ): Promise<T | null> {
    const kept = cache.get(id);
    if (kept?.version === version) return kept.value;
    const fresh = await read(id);
    if (fresh) cache.set(id, fresh);
    else cache.delete(id);
    return fresh?.value ?? null;
  }

  private async node(id: number): Promise<Kept<SubscriptionNode> | null> {
    const { rows } = await this.pool.query<Record<string, unknown>>({
      name: 'subscription-node',
      text: NODE,
      values: [id],
    });
    if (!rows.length) return null;
    const [row] = rows;
    return {
      version: row['version'] as string,
      value: {
        id,
        status: row['status'] as NodeEntity['status'],
        healthStatus: row['health_status'] as NodeEntity['healthStatus'],
        inboundId: row['inbound_id'] as number | null,
        inboundSnapshot: row['inbound_snapshot'] as InboundSnapshot | null,
        publicHost: row['public_host'] as string | null,
        location: row['location'] as string | null,
        panelUrl: row['panel_url'] as string,
        currentUsers: row['current_users'] as number,
        maxUsers: row['max_users'] as number,
      },
    };
  }

  private async group(id: number): Promise<Kept<SubscriptionSeat['group']> | null> {
    const { rows } = await this.pool.query<{ version: string; name: string; country_code: string | null }>({
      name: 'subscription-group',
      text: GROUP,
      values: [id],
    });
    if (!rows.length) return null;
    const [row] = rows;
    return { version: row.version, value: { id, name: row.name, countryCode: row.country_code } };
  }
}
