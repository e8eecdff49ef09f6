import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EventType, HealthStatus } from '@fleet/contract';
import { PanelError } from '@fleet/xui-client';
import { TombstonesService } from '../assignments/tombstones.service';
import { EventsService } from '../events/events.service';
import { InboundSnapshot, NodeEntity } from '../nodes/node.entity';
import { NodeChanges } from '../nodes/node-changes';
import { NodesRepository } from '../nodes/nodes.repository';
import { PanelPoolService } from '../panels/panel-pool.service';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';

const CHECK_TIMEOUT_MS = 4000;
/** Consecutive failures before a healthy node is marked unhealthy, and successes before it is healthy again. */
const FALL = 3;
const RISE = 2;

export interface CheckOutcome {
  ok: boolean;
  responseTimeMs: number;
  error: string | null;
  healthStatus: HealthStatus;
}

/**
 * Checks one node now: panel reachable and logged in, `server/status` answers with xray running, and the node's
 * inbound exists (its settings and stream are cached for share links). Hysteresis: a node that was never checked
 * takes the first result; afterwards it falls after FALL failures and rises after RISE successes.
 */
@Injectable()
export class NodeCheckService implements OnApplicationBootstrap {
  private readonly logger = new Logger(NodeCheckService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly nodes: NodesRepository,
    private readonly pool: PanelPoolService,
    private readonly events: EventsService,
    private readonly tombstones: TombstonesService,
    private readonly changes: NodeChanges,
  ) {}

  /** New or re-pointed nodes are checked right away; nodes never checked are checked at start-up. */
  onApplicationBootstrap(): void {
    this.changes.onSaved((node, panelChanged) => {
      if (panelChanged || node.healthStatus === 'unknown') void this.checkById(node.id).catch(() => undefined);
    });
    void this.nodes
      .findAll()
      .then((all) => Promise.all(all.filter((n) => n.healthStatus === 'unknown').map((n) => this.check(n))))
      .catch((error: Error) => this.logger.warn(`start-up checks failed: ${error.message}`));
  }

  async checkById(nodeId: number): Promise<CheckOutcome | null> {
    const node = await this.nodes.findById(nodeId);
    return node ? this.check(node) : null;
  }

  async check(node: NodeEntity): Promise<CheckOutcome> {
    const started = performance.now();
    let error: string | null = null;
    let snapshot: InboundSnapshot | null = node.inboundSnapshot;
    try {
      const status = await this.pool.run(node, (panel) => panel.serverStatus(CHECK_TIMEOUT_MS));
      if (status.xray.state !== 'running')
        error = `xray is ${status.xray.state}: ${status.xray.errorMsg || 'no message'}`;
      else if (node.inboundId !== null) snapshot = await this.readInbound(node);
    } catch (failure) {
      error = failure instanceof PanelError ? `${failure.kind}: ${failure.message}` : String(failure);
    }
    const responseTimeMs = Math.round(performance.now() - started);
    const healthStatus = await this.record(node, { ok: error === null, error, responseTimeMs, snapshot });
    if (error === null) await this.tombstones.runDue(node.id);
    return { ok: error === null, responseTimeMs, error, healthStatus };
  }

  private async readInbound(node: NodeEntity): Promise<InboundSnapshot> {
    const inbound = await this.pool.run(node, (panel) => panel.getInbound(node.inboundId!));
    const settings = JSON.parse(inbound.settings) as Record<string, unknown>;
    delete settings['clients']; // links need the inbound's settings, not its (possibly huge) client list
    return {
      id: inbound.id,
      protocol: inbound.protocol,
      port: inbound.port,
      remark: inbound.remark,
      settings: JSON.stringify(settings),
      streamSettings: inbound.streamSettings,
    };
  }

  private async record(
    node: NodeEntity,
    result: { ok: boolean; error: string | null; responseTimeMs: number; snapshot: InboundSnapshot | null },
  ): Promise<HealthStatus> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.nodes.findByIdForUpdate(node.id, manager);
      if (!current) return 'unknown';
      const failures = result.ok ? 0 : current.consecutiveFailures + 1;
      const successes = result.ok ? current.consecutiveSuccesses + 1 : 0;
      const previous = current.healthStatus;
      let next: HealthStatus = previous;
      if (previous === 'unknown') next = result.ok ? 'healthy' : 'unhealthy';
      else if (previous === 'healthy' && failures >= FALL) next = 'unhealthy';
      else if (previous === 'unhealthy' && successes >= RISE) next = 'healthy';
      await manager.query(
        `UPDATE nodes SET health_status = $2, consecutive_failures = $3, consecutive_successes = $4,
                last_health_check = now(), response_time_ms = $5, last_error = $6, inbound_snapshot = $7
          WHERE id = $1`,
        [node.id, next, failures, successes, result.ok ? result.responseTimeMs : null, result.error, result.snapshot],
      );
      if (next !== previous && previous !== 'unknown') {
        await this.events.record(
          {
            type: next === 'healthy' ? EventType.NodeUp : EventType.NodeDown,
            actor: 'system:health',
            nodeId: node.id,
            payload: { name: node.name, error: result.error },
          },
          manager,
        );
      }
      return next;
    });
  }
}
