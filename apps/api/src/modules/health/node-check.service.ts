import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EventType, HealthStatus } from '@fleet/contract';
import { Inbound, PanelError, panelExcerpt, ServerStatus, XuiClient } from '@fleet/xui-client';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { EventsService } from '../events/events.service';
import { MetricsService } from '../metrics/metrics.service';
import { InboundSnapshot, NodeEntity } from '../nodes/node.entity';
import { NodeChanges } from '../nodes/node-changes';
import { AfterCommit, NodeLifecycle } from '../nodes/node-lifecycle';
import { NodesRepository } from '../nodes/nodes.repository';
import { NodesService } from '../nodes/nodes.service';
import { inboundSnapshot, inboundUnfit, SUPPORTED_PROTOCOLS } from '../nodes/inbound-snapshot';
import { HealthRepository } from './health.repository';
import { nextHealth } from './hysteresis';
import { PanelPoolService } from '../panels/panel-pool.service';
import { probeHttp, withinTimeout } from './reachability';

export interface CheckOutcome {
  ok: boolean;
  responseTimeMs: number;
  /** Why the check failed, in words anyone may read (stored as the node's last error and in its history). */
  error: string | null;
  /** For admins: our account of the failure and an excerpt of what the panel said (scrubbed, bounded). */
  detail: string | null;
  healthStatus: HealthStatus;
}

interface Observation {
  ok: boolean;
  error: string | null;
  detail: string | null;
  responseTimeMs: number;
  snapshot: InboundSnapshot | null;
  status: ServerStatus | null;
  onlineClients: number | null;
  /** A node without an inbound whose panel has exactly one usable inbound takes it. */
  chosenInbound: number | null;
}

/**
 * Checks one node, progressively: a quick HTTP probe first (short timeout); only when it answers, the panel (session,
 * `server/status` with xray running, the node's inbound, which is cached for share links). Every check is stored.
 * Hysteresis: a node never checked takes the first result; then it falls after HEALTH_FALL failures and rises after
 * HEALTH_RISE successes. Events fire on transitions only. A fall fires the node lifecycle's fall hooks in the
 * transaction that records it (the failover job starts there); a return waits for the lifecycle's serving gates.
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
    private readonly changes: NodeChanges,
    private readonly metrics: MetricsService,
    private readonly health: HealthRepository,
    private readonly nodesService: NodesService,
    private readonly lifecycle: NodeLifecycle,
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
    const observation = await this.observe(node);
    if (observation.ok && node.healthStatus !== 'healthy') {
      // A node passes the lifecycle's gates before it may serve again.
      const refusal = await this.lifecycle.mayServe(node);
      if (refusal !== null) Object.assign(observation, { ok: false, error: refusal });
    }
    const { status, afterCommit } = await this.record(node, observation);
    afterCommit?.();
    if (observation.ok && node.healthStatus === 'healthy') await this.lifecycle.serving(node);
    this.metrics.checkLatency.observe({ result: observation.ok ? 'ok' : 'failed' }, observation.responseTimeMs / 1000);
    return {
      ok: observation.ok,
      responseTimeMs: observation.responseTimeMs,
      error: observation.error,
      detail: observation.detail,
      healthStatus: status,
    };
  }

  private async observe(node: NodeEntity): Promise<Observation> {
    const timeout = this.config.healthTimeoutMs;
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const failed = (error: string, detail: string | null = null): Observation => ({
      ok: false,
      error,
      detail,
      responseTimeMs: elapsed(),
      snapshot: node.inboundSnapshot,
      status: null,
      onlineClients: null,
      chosenInbound: null,
    });
    const unreachable = await probeHttp(node.panelUrl, Math.min(1000, Math.ceil(timeout / 4)), node.tlsVerify);
    if (unreachable) return failed(unreachable.reason, `unreachable: ${unreachable.detail}`);
    try {
      const detail = await withinTimeout(
        this.pool.run(node, async (panel) => {
          const status = await panel.serverStatus(timeout);
          if (status.xray.state !== 'running')
            return { status, snapshot: null, online: null, chosen: null, unfit: null };
          const chosen = node.inboundId === null ? await onlyUsableInbound(panel) : null;
          const inboundId = node.inboundId ?? chosen?.id ?? null;
          const inbound = chosen ?? (inboundId === null ? null : await panel.getInbound(inboundId));
          const unfit = inbound && inboundUnfit(inbound);
          if (unfit) return { status, snapshot: null, online: null, chosen: null, unfit };
          const snapshot = inbound && inboundSnapshot(inbound);
          const online = await panel.onlineEmails().then(
            (emails) => emails.length,
            () => null,
          );
          return { status, snapshot, online, chosen: chosen?.id ?? null, unfit: null };
        }),
        timeout,
      );
      if (detail.status.xray.state !== 'running') {
        const { state, errorMsg } = detail.status.xray;
        return {
          ...failed(`xray is ${state}`, `xray is ${state}: ${errorMsg ? panelExcerpt(errorMsg) : 'no message'}`),
          status: detail.status,
        };
      }
      // An inbound that cannot serve our users fails the check: the node stops taking users, and its users are
      // moved like any failed node's.
      if (detail.unfit)
        return { ...failed(`inbound ${node.inboundId}: ${detail.unfit.reason}`), status: detail.status };
      return {
        ok: true,
        error: null,
        detail: null,
        responseTimeMs: elapsed(),
        snapshot: detail.snapshot ?? node.inboundSnapshot,
        status: detail.status,
        onlineClients: detail.online,
        chosenInbound: detail.chosen,
      };
    } catch (error) {
      if (!(error instanceof PanelError)) return failed('timeout', `unreachable: ${(error as Error).message}`);
      const said = error.panelText ? `; the panel said: ${error.panelText}` : '';
      return failed(error.reason, `${error.kind}: ${error.message}${said}`);
    }
  }

  private async record(
    node: NodeEntity,
    seen: Observation,
  ): Promise<{ status: HealthStatus; afterCommit: AfterCommit | null }> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.nodes.findByIdForUpdate(node.id, manager);
      if (!current) return { status: 'unknown' as HealthStatus, afterCommit: null };
      const previous = current.healthStatus;
      const next = nextHealth(
        {
          status: previous,
          consecutiveFailures: current.consecutiveFailures,
          consecutiveSuccesses: current.consecutiveSuccesses,
        },
        seen.ok,
        { fall: this.config.healthFall, rise: this.config.healthRise },
      );
      if (seen.chosenInbound !== null && current.inboundId === null) {
        await this.nodesService.chooseInbound(current, seen.chosenInbound, manager);
      }
      await this.nodes.recordHealth(
        node.id,
        {
          healthStatus: next.status,
          consecutiveFailures: next.consecutiveFailures,
          consecutiveSuccesses: next.consecutiveSuccesses,
          responseTimeMs: seen.ok ? seen.responseTimeMs : null,
          lastError: seen.error,
          inboundSnapshot: seen.snapshot,
        },
        manager,
      );
      await this.health.insert(
        {
          nodeId: node.id,
          ok: seen.ok,
          healthStatus: next.status,
          responseTimeMs: seen.responseTimeMs,
          cpu: seen.status?.cpu ?? null,
          memUsed: seen.status?.mem?.current ?? null,
          memTotal: seen.status?.mem?.total ?? null,
          onlineClients: seen.onlineClients,
          xrayState: seen.status?.xray?.state ?? null,
          error: seen.error,
        },
        manager,
      );
      let afterCommit: AfterCommit | null = null;
      if (next.status !== previous && previous !== 'unknown') {
        await this.events.record(
          {
            type: next.status === 'healthy' ? EventType.NodeUp : EventType.NodeDown,
            actor: 'system:health',
            nodeId: node.id,
            payload: { name: current.name, error: seen.error },
          },
          manager,
        );
        if (next.status === 'unhealthy') {
          // The one log line of a fall: our account and a bounded, scrubbed excerpt of what the panel said.
          this.logger.warn(`node ${current.name} is down: ${seen.detail ?? seen.error}`);
          afterCommit = await this.lifecycle.fell(current, manager);
        }
      }
      return { status: next.status, afterCommit };
    });
  }
}

/** The panel's one enabled inbound of a protocol we can serve, when there is exactly one. */
async function onlyUsableInbound(panel: XuiClient): Promise<Inbound | null> {
  const usable = (await panel.listInbounds()).filter(
    (inbound) => inbound.enable && SUPPORTED_PROTOCOLS.includes(inbound.protocol),
  );
  return usable.length === 1 ? usable[0] : null;
}
