import { Injectable, Logger } from '@nestjs/common';
import { inboundClients, PanelError, XuiClient, clientKeyOf } from '@fleet/xui-client';
import { NodesService } from '../nodes/nodes.service';
import { PanelPoolService } from '../panels/panel-pool.service';
import { NodeEntity } from '../nodes/node.entity';
import { readingOf, readingsOf, UsageLedger } from '../usage/usage-ledger.service';
import type { CounterReading } from '../usage/node-counters';
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
    private readonly nodes: NodesService,
    private readonly pool: PanelPoolService,
    private readonly ledger: UsageLedger,
  ) {}

  /**
   * Deletes these clients of one node from its panel, their last counters booked first so the bytes they carried
   * since the last usage pass are not lost with them. Answers the emails removed; stops at the node's first failure
   * (recorded on the tombstone).
   */
  private async carryOutOnNode(
    nodeId: number,
    tombstones: Tombstone[],
  ): Promise<{ cleaned: string[]; failed: boolean }> {
    const node = await this.nodes.findById(nodeId);
    if (!node) {
      for (const tombstone of tombstones) await this.tombstones.remove(tombstone.id);
      return { cleaned: tombstones.map((tombstone) => tombstone.clientEmail), failed: false };
    }
    const cleaned: string[] = [];
    const deleted: string[] = [];
    let current: Tombstone | null = null;
    try {
      await this.ledger.collect(node, () => this.lastCounters(node, tombstones));
      for (const tombstone of tombstones) {
        current = tombstone;
        const outcome = await this.pool.run(node, (panel) => removeClient(panel, tombstone));
        if (outcome === 'deleted') deleted.push(tombstone.clientEmail);
        await this.tombstones.remove(tombstone.id);
        cleaned.push(tombstone.clientEmail);
      }
      this.retryAfter.delete(node.id);
      return { cleaned, failed: false };
    } catch (error) {
      await this.tombstones.markFailed(
        (current ?? tombstones[0]).id,
        error instanceof PanelError ? `${error.kind}: ${error.message}` : String(error),
      );
      this.retryAfter.set(node.id, Date.now() + RETRY_AFTER_MS);
      return { cleaned, failed: true };
    } finally {
      await this.ledger.forget(node.id, deleted);
    }
  }

  /** The clients' counters: one traffic read for a single client, the inbound list (one call) for several. */
  private async lastCounters(node: NodeEntity, tombstones: Tombstone[]): Promise<CounterReading[]> {
    if (tombstones.length > 1) {
      const emails = new Set(tombstones.map((tombstone) => tombstone.clientEmail));
      const readings = readingsOf(await this.pool.run(node, (panel) => panel.listInbounds()));
      return readings.filter((reading) => emails.has(reading.email));
    }
    try {
      return [readingOf(await this.pool.run(node, (panel) => panel.clientTraffic(tombstones[0].clientEmail)))];
    } catch (error) {
      if (error instanceof PanelError && error.kind === 'not-found') return [];
      throw error;
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
    const byNode = new Map<number, Tombstone[]>();
    for (const tombstone of due) byNode.set(tombstone.nodeId, [...(byNode.get(tombstone.nodeId) ?? []), tombstone]);
    const cleaned = new Set<string>();
    let failed = 0;
    for (const [nodeId, tombstones] of byNode) {
      const outcome = await this.carryOutOnNode(nodeId, tombstones);
      for (const email of outcome.cleaned) cleaned.add(email);
      if (outcome.failed) failed++;
    }
    if (failed) this.logger.warn(`panel client deletions postponed on ${failed} node(s): panel unreachable`);
    return { done: cleaned.size, failed, cleaned };
  }
}

/**
 * Removes one client: by email; a client already gone counts as removed. A panel refuses to delete an inbound's
 * last client, so that one is disabled instead: either way it stops serving.
 */
async function removeClient(panel: XuiClient, tombstone: Tombstone): Promise<'deleted' | 'disabled'> {
  try {
    await panel.deleteClientByEmail(tombstone.inboundId, tombstone.clientEmail);
    return 'deleted';
  } catch (error) {
    if (error instanceof PanelError && error.kind === 'not-found') return 'deleted';
    if (!(error instanceof PanelError && error.reason === 'panel said: no client remained in inbound')) throw error;
    const inbound = await panel.getInbound(tombstone.inboundId);
    const client = inboundClients(inbound).find((candidate) => candidate.email === tombstone.clientEmail);
    if (!client) return 'deleted';
    if (client.enable !== false) {
      await panel.updateClient(tombstone.inboundId, clientKeyOf(inbound.protocol, client), {
        ...client,
        enable: false,
      });
    }
    return 'disabled';
  }
}
