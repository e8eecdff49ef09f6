import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
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

/** The one query behind `GET /sub/:token`: the user and their active node, never the node's secrets. */
@Injectable()
export class SubscriptionRepository {
  constructor(@InjectRepository(VpnUser) private readonly users: Repository<VpnUser>) {}

  async byToken(token: string): Promise<{ user: VpnUser; node: SubscriptionNode | null } | null> {
    const { entities, raw } = await this.users
      .createQueryBuilder('u')
      .leftJoin('assignments', 'a', `a.user_id = u.id AND a.state = 'active'`)
      .leftJoin('nodes', 'n', 'n.id = a.node_id')
      .addSelect([
        'n.id AS node_id',
        'n.status AS node_status',
        'n.health_status AS node_health',
        'n.inbound_id AS node_inbound_id',
        'n.inbound_snapshot AS node_inbound_snapshot',
        'n.public_host AS node_public_host',
        'n.panel_url AS node_panel_url',
        'n.current_users AS node_current_users',
        'n.max_users AS node_max_users',
      ])
      .where('u.subscription_token = :token', { token })
      .limit(1)
      .getRawAndEntities();
    if (!entities.length) return null;
    const row = raw[0] as Record<string, unknown>;
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
    return { user: entities[0], node };
  }
}
