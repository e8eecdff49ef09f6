import { Injectable, Logger } from '@nestjs/common';
import { clientKeyOf, inboundClients, PanelClient, PanelError } from '@fleet/xui-client';
import { Assignment } from '../assignments/assignment.entity';
import { AssignmentsService } from '../assignments/assignments.service';
import { panelClientFor } from '../assignments/panel-identity';
import { NodeEntity } from '../nodes/node.entity';
import { NodesService } from '../nodes/nodes.service';
import { PanelPoolService } from '../panels/panel-pool.service';
import { UsageLedger } from '../usage/usage-ledger.service';
import { UsersService } from '../users/users.service';

/** Clients caught up per round: one page of assignments, one read of the inbound. */
const CATCH_UP_PAGE = 500;

/** What a round of rewrites left: clients not written, and whether the rest must wait (the panel stopped answering,
 * or the node cannot take clients). */
interface Applied {
  failed: number;
  restWaits: boolean;
}

/**
 * Makes panel clients carry their user's access. A change is written to the user's panel right away when it
 * answers; otherwise the assignment stays behind the user's access version and is caught up before its node serves
 * again (and at every good check). Versions only move forward, so an older change never lands over a newer one.
 */
@Injectable()
export class AccessSyncService {
  private readonly logger = new Logger(AccessSyncService.name);

  constructor(
    private readonly assignments: AssignmentsService,
    private readonly users: UsersService,
    private readonly nodes: NodesService,
    private readonly pool: PanelPoolService,
    private readonly ledger: UsageLedger,
  ) {}

  /** Writes the user's access to the panel of each of their seats; false when a panel did not take it. */
  async push(userId: number): Promise<boolean> {
    const active = (await this.assignments.liveOf([userId])).filter((row) => row.state === 'active');
    const applied = await Promise.all(active.map((row) => this.apply(row.nodeId, [row])));
    return applied.every(({ failed }) => failed === 0);
  }

  /**
   * Catches up every client on the node whose access is behind, CATCH_UP_PAGE at a time; answers how many could not
   * be written, all of them (once the panel stops answering, the rest are counted without asking it again).
   */
  async applyPending(nodeId: number): Promise<number> {
    let failed = 0;
    let restWaits = false;
    for (let after = 0; ; ) {
      const page = await this.assignments.behindOnAccess(nodeId, CATCH_UP_PAGE, after);
      if (!page.length) return failed;
      after = page[page.length - 1];
      const rows = (await this.assignments.liveOf(page)).filter(
        (row) => row.state === 'active' && row.nodeId === nodeId,
      );
      if (restWaits) {
        failed += rows.length;
      } else {
        const applied = await this.apply(nodeId, rows);
        failed += applied.failed;
        restWaits = applied.restWaits;
      }
      if (page.length < CATCH_UP_PAGE) return failed;
    }
  }

  /** Rewrites the clients of these active assignments on `nodeId`. */
  private async apply(nodeId: number, rows: Assignment[]): Promise<Applied> {
    if (!rows.length) return { failed: 0, restWaits: false };
    const node = await this.nodes.findById(nodeId);
    const snapshot = node?.inboundSnapshot;
    if (!node || !snapshot) return { failed: rows.length, restWaits: true };
    const counters = await this.ledger.countersOf(
      nodeId,
      rows.map((row) => row.clientEmail),
    );
    const identities = await this.users.identities(rows.map((row) => row.userId));
    let stored: Map<string, PanelClient>;
    try {
      stored = await this.clientsByEmail(node, rows);
    } catch (error) {
      if (!(error instanceof PanelError)) throw error;
      this.logger.warn(`access changes for ${node.name} wait: ${error.message}`);
      return { failed: rows.length, restWaits: true };
    }
    let failed = 0;
    for (const [i, row] of rows.entries()) {
      const user = identities.get(row.userId)!;
      const current = stored.get(row.clientEmail.toLowerCase());
      if (!current) {
        failed++; // not on the panel (drift): nothing to update
        continue;
      }
      const quota = { multiplier: node.usageMultiplier, counterBytes: counters.get(row.clientEmail) ?? 0 };
      const client = { ...current, ...panelClientFor(user, nodeId, snapshot, quota), email: row.clientEmail };
      try {
        await this.pool.run(node, (panel) =>
          panel.updateClient(row.inboundId, clientKeyOf(snapshot.protocol, current), client),
        );
        await this.assignments.markAccessApplied(row.id, user.accessVersion);
      } catch (error) {
        if (!(error instanceof PanelError)) throw error;
        this.logger.warn(`access of user ${row.userId} not written to ${node.name}: ${error.message}`);
        if (error.kind === 'unreachable') return { failed: failed + rows.length - i, restWaits: true }; // the rest waits
        failed++;
      }
    }
    return { failed, restWaits: false };
  }

  /** The panel's clients of these assignments' inbounds, by email: a key may be the one being replaced (rotation). */
  private async clientsByEmail(node: NodeEntity, rows: Assignment[]): Promise<Map<string, PanelClient>> {
    const stored = new Map<string, PanelClient>();
    for (const inboundId of new Set(rows.map((row) => row.inboundId))) {
      const inbound = await this.pool.run(node, (panel) => panel.getInbound(inboundId));
      for (const client of inboundClients(inbound)) stored.set(client.email.toLowerCase(), client);
    }
    return stored;
  }
}
