import { Injectable, Logger } from '@nestjs/common';
import { clientKeyOf, inboundClients, PanelClient, PanelError } from '@fleet/xui-client';
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
    const snapshot = node?.inboundSnapshot;
    if (!node || !snapshot) return userIds.length;
    const identities = await this.users.identities(userIds);
    const rows = (await this.assignments.liveOf(userIds)).filter(
      (row) => row.state === 'active' && row.nodeId === nodeId,
    );
    if (!rows.length) return 0;
    try {
      // The client is found by its email: its key may be the one being replaced (rotation).
      const stored = new Map<string, PanelClient>();
      for (const inboundId of new Set(rows.map((row) => row.inboundId))) {
        const inbound = await this.pool.run(node, (panel) => panel.getInbound(inboundId));
        for (const client of inboundClients(inbound)) stored.set(client.email.toLowerCase(), client);
      }
      let failed = 0;
      for (const row of rows) {
        const user = identities.get(row.userId)!;
        const current = stored.get(row.clientEmail.toLowerCase());
        if (!current) {
          failed++; // not on the panel (drift): nothing to update
          continue;
        }
        const client = { ...current, ...panelClientFor(user, nodeId, snapshot), email: row.clientEmail };
        try {
          await this.pool.run(node, (panel) =>
            panel.updateClient(row.inboundId, clientKeyOf(snapshot.protocol, current), client),
          );
          await this.assignments.markAccessApplied(row.id, user.accessVersion);
        } catch (error) {
          if (!(error instanceof PanelError) || error.kind === 'unreachable') throw error;
          failed++;
          this.logger.warn(`access of user ${row.userId} not written to ${node.name}: ${error.message}`);
        }
      }
      return failed;
    } catch (error) {
      if (!(error instanceof PanelError)) throw error;
      this.logger.warn(`access changes for ${node.name} wait: ${error.message}`);
      return rows.length;
    }
  }
}
