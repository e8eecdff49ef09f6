import { Injectable, Logger } from '@nestjs/common';
import { inboundClients, PanelError, XuiClient, clientKeyOf } from '@fleet/xui-client';
import { NodesRepository } from '../nodes/nodes.repository';
import { PanelPoolService } from '../panels/panel-pool.service';
import { Tombstone } from './tombstone.entity';
import { TombstonesRepository } from './tombstones.repository';

/** After a failed attempt, a node's tombstones wait this long before the next one. */
const RETRY_AFTER_MS = 15_000;

/**
 * Clients that must leave a panel. A tombstone is written in the same transaction that releases the assignment,
 * so a crash cannot forget it; it is carried out right after and retried while the panel is unreachable.
 */
@Injectable()
export class TombstonesService {
  private readonly logger = new Logger(TombstonesService.name);
  private readonly retryAfter = new Map<number, number>();

  constructor(
    private readonly tombstones: TombstonesRepository,
    private readonly nodes: NodesRepository,
    private readonly pool: PanelPoolService,
  ) {}

  /** Deletes the client from its panel; true when it is gone (or was never there). Failures are recorded. */
  async carryOut(tombstone: Tombstone): Promise<boolean> {
    const node = await this.nodes.findById(tombstone.nodeId);
    if (!node) return true;
    try {
      await this.pool.run(node, (panel) => removeClient(panel, tombstone));
      await this.tombstones.remove(tombstone.id);
      this.retryAfter.delete(node.id);
      return true;
    } catch (error) {
      await this.tombstones.markFailed(
        tombstone.id,
        error instanceof PanelError ? `${error.kind}: ${error.message}` : String(error),
      );
      this.retryAfter.set(node.id, Date.now() + RETRY_AFTER_MS);
      return false;
    }
  }

  /**
   * One pass over due tombstones (nodes that failed recently wait), or every tombstone of one node (optionally only
   * some clients). A node's first failure postpones the rest of its tombstones.
   */
  async runDue(
    filter: { nodeId?: number; emails?: string[] } = {},
    limit = 500,
  ): Promise<{ done: number; failed: number; cleaned: Set<string> }> {
    const due = (await this.tombstones.due(filter, limit)).filter(
      (t) => filter.nodeId !== undefined || (this.retryAfter.get(t.nodeId) ?? 0) <= Date.now(),
    );
    const cleaned = new Set<string>();
    let failed = 0;
    const failedNodes = new Set<number>();
    for (const tombstone of due) {
      if (failedNodes.has(tombstone.nodeId)) continue;
      if (await this.carryOut(tombstone)) cleaned.add(tombstone.clientEmail);
      else {
        failed++;
        failedNodes.add(tombstone.nodeId);
      }
    }
    if (failed) this.logger.warn(`${failed} panel client deletion(s) postponed: panel unreachable`);
    return { done: cleaned.size, failed, cleaned };
  }
}

/**
 * Removes one client: by email; a client already gone counts as removed. A panel refuses to delete an inbound's
 * last client, so that one is disabled instead: either way it stops serving.
 */
async function removeClient(panel: XuiClient, tombstone: Tombstone): Promise<void> {
  try {
    await panel.deleteClientByEmail(tombstone.inboundId, tombstone.clientEmail);
  } catch (error) {
    if (error instanceof PanelError && error.kind === 'not-found') return;
    if (!(error instanceof PanelError && /no client remained/i.test(error.message))) throw error;
    const inbound = await panel.getInbound(tombstone.inboundId);
    const client = inboundClients(inbound).find((candidate) => candidate.email === tombstone.clientEmail);
    if (!client || client.enable === false) return;
    await panel.updateClient(tombstone.inboundId, clientKeyOf(inbound.protocol, client), { ...client, enable: false });
  }
}
