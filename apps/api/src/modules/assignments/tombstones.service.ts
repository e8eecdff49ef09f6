import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { PanelClient, PanelError, XuiClient, clientKeyOf } from '@fleet/xui-client';
import { NodesRepository } from '../nodes/nodes.repository';
import { PanelPoolService } from '../panels/panel-pool.service';
import { Tombstone } from './tombstone.entity';

/** After a failed attempt, a node's tombstones wait this long before the next one. */
const RETRY_AFTER_MS = 15_000;

/**
 * Clients that must leave a panel. A tombstone is written in the same transaction that releases the assignment,
 * so a crash cannot forget it; it is carried out at once and retried while the panel is unreachable.
 */
@Injectable()
export class TombstonesService {
  private readonly logger = new Logger(TombstonesService.name);
  private readonly retryAfter = new Map<number, number>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly nodes: NodesRepository,
    private readonly pool: PanelPoolService,
  ) {}

  async record(
    manager: EntityManager,
    fields: { nodeId: number; inboundId: number; clientEmail: string; clientUuid: string | null; reason: string },
  ): Promise<Tombstone> {
    const [row] = await manager.query(
      `INSERT INTO panel_tombstones (node_id, inbound_id, client_email, client_uuid, reason)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (node_id, client_email) DO UPDATE SET reason = EXCLUDED.reason, inbound_id = EXCLUDED.inbound_id
       RETURNING id`,
      [fields.nodeId, fields.inboundId, fields.clientEmail, fields.clientUuid, fields.reason],
    );
    return Object.assign(new Tombstone(), { id: String(row.id), attempts: 0, lastError: null, ...fields });
  }

  countFor(nodeId: number): Promise<number> {
    return this.dataSource.getRepository(Tombstone).countBy({ nodeId });
  }

  /** Deletes the client from its panel; true when it is gone (or was never there). Failures are recorded. */
  async carryOut(tombstone: Tombstone): Promise<boolean> {
    const node = await this.nodes.findById(tombstone.nodeId);
    if (!node) return true;
    try {
      await this.pool.run(node, (panel) => removeClient(panel, tombstone));
      await this.dataSource.query(`DELETE FROM panel_tombstones WHERE id = $1`, [tombstone.id]);
      this.retryAfter.delete(node.id);
      return true;
    } catch (error) {
      const message = error instanceof PanelError ? `${error.kind}: ${error.message}` : String(error);
      await this.dataSource.query(
        `UPDATE panel_tombstones SET attempts = attempts + 1, last_error = $2 WHERE id = $1`,
        [tombstone.id, message],
      );
      this.retryAfter.set(node.id, Date.now() + RETRY_AFTER_MS);
      return false;
    }
  }

  /** One pass over due tombstones (nodes that failed recently wait), or every tombstone of one node. */
  async runDue(nodeId?: number, limit = 500): Promise<{ done: number; failed: number }> {
    const query = this.dataSource.getRepository(Tombstone).createQueryBuilder('t').orderBy('t.id').limit(limit);
    if (nodeId !== undefined) query.where('t.node_id = :nodeId', { nodeId });
    const due = (await query.getMany()).filter(
      (t) => nodeId !== undefined || (this.retryAfter.get(t.nodeId) ?? 0) <= Date.now(),
    );
    let done = 0;
    let failed = 0;
    const failedNodes = new Set<number>();
    for (const tombstone of due) {
      if (failedNodes.has(tombstone.nodeId)) continue;
      if (await this.carryOut(tombstone)) done++;
      else {
        failed++;
        failedNodes.add(tombstone.nodeId);
      }
    }
    if (failed) this.logger.warn(`${failed} panel client deletion(s) postponed: panel unreachable`);
    return { done, failed };
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
    const clients = (JSON.parse(inbound.settings) as { clients?: PanelClient[] }).clients ?? [];
    const client = clients.find((candidate) => candidate.email === tombstone.clientEmail);
    if (!client || client.enable === false) return;
    await panel.updateClient(tombstone.inboundId, clientKeyOf(inbound.protocol, client), { ...client, enable: false });
  }
}
