import { Injectable, Logger } from '@nestjs/common';
import { clientKeyOf, PanelError } from '@fleet/xui-client';
import { AssignmentsRepository } from '../assignments/assignments.repository';
import { panelClientFor } from '../assignments/panel-identity';
import { NodesRepository } from '../nodes/nodes.repository';
import { PanelPoolService } from '../panels/panel-pool.service';
import { UsersRepository } from '../users/users.repository';

/**
 * Makes panel clients carry their user's access. A change is written to the user's panel right away when it
 * answers; otherwise the assignment stays behind the user's access version and is caught up before its node serves
 * again (and at every good check). Versions only move forward, so an older change never lands over a newer one.
 */
@Injectable()
export class AccessSyncService {
  private readonly logger = new Logger(AccessSyncService.name);

  constructor(
    private readonly assignments: AssignmentsRepository,
    private readonly users: UsersRepository,
    private readonly nodes: NodesRepository,
    private readonly pool: PanelPoolService,
  ) {}

  /** Writes the user's access to the panel of their active assignment; false when that panel did not take it. */
  async push(userId: number): Promise<boolean> {
    const { active } = await this.assignments.live(userId);
    if (!active) return true;
    const failed = await this.apply(active.nodeId, [userId]);
    return failed === 0;
  }

  /** Catches up every client on the node whose access is behind; answers how many could not be written. */
  async applyPending(nodeId: number): Promise<number> {
    return this.apply(nodeId, await this.assignments.behindOnAccess(nodeId, 500));
  }

  private async apply(nodeId: number, userIds: number[]): Promise<number> {
    if (!userIds.length) return 0;
    const node = await this.nodes.findById(nodeId);
    if (!node?.inboundSnapshot) return userIds.length;
    const identities = await this.users.identities(userIds);
    let failed = 0;
    for (const userId of userIds) {
      const user = identities.get(userId);
      const { active } = await this.assignments.live(userId);
      if (!user || !active || active.nodeId !== nodeId) continue;
      const client = { ...panelClientFor(user, nodeId, node.inboundSnapshot), email: active.clientEmail };
      try {
        await this.pool.run(node, (panel) =>
          panel.updateClient(active.inboundId, clientKeyOf(node.inboundSnapshot!.protocol, client), client),
        );
        await this.assignments.markAccessApplied(active.id, user.accessVersion);
      } catch (error) {
        if (!(error instanceof PanelError)) throw error;
        failed++;
        this.logger.warn(`access of user ${userId} not written to ${node.name} yet: ${error.message}`);
        if (error.kind === 'unreachable') return failed + userIds.length - userIds.indexOf(userId) - 1;
      }
    }
    return failed;
  }
}
