import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { EventType, HealthStatus } from '@fleet/contract';
import { PanelError, ServerStatus } from '@fleet/xui-client';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { TombstonesService } from '../assignments/tombstones.service';
import { EventsService } from '../events/events.service';
import { MetricsService } from '../metrics/metrics.service';
import { JobRunnerService } from '../migrations/job-runner.service';
import { JobsService } from '../migrations/jobs.service';
import { InboundSnapshot, NodeEntity } from '../nodes/node.entity';
import { NodeChanges } from '../nodes/node-changes';
import { NodesRepository } from '../nodes/nodes.repository';
import { PanelPoolService } from '../panels/panel-pool.service';
import { probeHttp, withinTimeout } from './reachability';

export interface CheckOutcome {
  ok: boolean;
  responseTimeMs: number;
  error: string | null;
  healthStatus: HealthStatus;
}

interface Observation {
  ok: boolean;
  error: string | null;
  responseTimeMs: number;
  snapshot: InboundSnapshot | null;
  status: ServerStatus | null;
  onlineClients: number | null;
}

/**
 * Checks one node, progressively: a quick HTTP probe first (short timeout); only when it answers, the panel (session,
 * `server/status` with xray running, the node's inbound, which is cached for share links). Every check is stored.
 * Hysteresis: a node never checked takes the first result; then it falls after HEALTH_FALL failures and rises after
 * HEALTH_RISE successes. Events fire on transitions only. Falling starts a durable failover job in the same
 * transaction; rising waits until the clients of users who moved away are deleted from the panel.
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
    private readonly jobs: JobsService,
    private readonly runner: JobRunnerService,
    private readonly metrics: MetricsService,
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
      // Before a node may serve again, moved users' clients must be gone from it.
      const { failed } = await this.tombstones.runDue(node.id);
      if (failed) Object.assign(observation, { ok: false, error: `${failed} moved users' clients not deleted yet` });
    }
    const { status, failoverJobId } = await this.record(node, observation);
    if (failoverJobId) this.runner.kick();
    if (observation.ok && node.healthStatus === 'healthy') await this.tombstones.runDue(node.id);
    this.metrics.checkLatency.observe({ result: observation.ok ? 'ok' : 'failed' }, observation.responseTimeMs / 1000);
    return {
      ok: observation.ok,
      responseTimeMs: observation.responseTimeMs,
      error: observation.error,
      healthStatus: status,
    };
  }

  private async observe(node: NodeEntity): Promise<Observation> {
    const timeout = this.config.healthTimeoutMs;
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const failed = (error: string): Observation => ({
      ok: false,
      error,
      responseTimeMs: elapsed(),
      snapshot: node.inboundSnapshot,
      status: null,
      onlineClients: null,
    });
    const unreachable = await probeHttp(node.panelUrl, Math.min(1000, Math.ceil(timeout / 4)), node.tlsVerify);
    if (unreachable) return failed(`unreachable: ${unreachable}`);
    try {
      const detail = await withinTimeout(
        this.pool.run(node, async (panel) => {
          const status = await panel.serverStatus(timeout);
          if (status.xray.state !== 'running') return { status, snapshot: null, online: null };
          const snapshot = node.inboundId === null ? null : inboundSnapshot(await panel.getInbound(node.inboundId));
          const online = await panel.onlineEmails().then(
            (emails) => emails.length,
            () => null,
          );
          return { status, snapshot, online };
        }),
        timeout,
      );
      if (detail.status.xray.state !== 'running') {
        return {
          ...failed(`xray is ${detail.status.xray.state}: ${detail.status.xray.errorMsg || 'no message'}`),
          status: detail.status,
        };
      }
      return {
        ok: true,
        error: null,
        responseTimeMs: elapsed(),
        snapshot: detail.snapshot ?? node.inboundSnapshot,
        status: detail.status,
        onlineClients: detail.online,
      };
    } catch (error) {
      return failed(
        error instanceof PanelError ? `${error.kind}: ${error.message}` : `unreachable: ${(error as Error).message}`,
      );
    }
  }

  private async record(
    node: NodeEntity,
    seen: Observation,
  ): Promise<{ status: HealthStatus; failoverJobId: number | null }> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.nodes.findByIdForUpdate(node.id, manager);
      if (!current) return { status: 'unknown' as HealthStatus, failoverJobId: null };
      const failures = seen.ok ? 0 : current.consecutiveFailures + 1;
      const successes = seen.ok ? current.consecutiveSuccesses + 1 : 0;
      const previous = current.healthStatus;
      let next: HealthStatus = previous;
      if (previous === 'unknown') next = seen.ok ? 'healthy' : 'unhealthy';
      else if (previous === 'healthy' && failures >= this.config.healthFall) next = 'unhealthy';
      else if (previous === 'unhealthy' && successes >= this.config.healthRise) next = 'healthy';
      await manager.query(
        `UPDATE nodes SET health_status = $2, consecutive_failures = $3, consecutive_successes = $4,
                last_health_check = now(), response_time_ms = $5, last_error = $6, inbound_snapshot = $7
          WHERE id = $1`,
        [node.id, next, failures, successes, seen.ok ? seen.responseTimeMs : null, seen.error, seen.snapshot],
      );
      await manager.query(
        `INSERT INTO health_checks (node_id, ok, health_status, response_time_ms, cpu, mem_used, mem_total,
                                    online_clients, xray_state, error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          node.id,
          seen.ok,
          next,
          seen.responseTimeMs,
          seen.status?.cpu ?? null,
          seen.status?.mem?.current ?? null,
          seen.status?.mem?.total ?? null,
          seen.onlineClients,
          seen.status?.xray?.state ?? null,
          seen.error,
        ],
      );
      let failoverJobId: number | null = null;
      if (next !== previous && previous !== 'unknown') {
        await this.events.record(
          {
            type: next === 'healthy' ? EventType.NodeUp : EventType.NodeDown,
            actor: 'system:health',
            nodeId: node.id,
            payload: { name: current.name, error: seen.error },
          },
          manager,
        );
        if (next === 'unhealthy') failoverJobId = await this.startFailover(current, manager);
      }
      return { status: next, failoverJobId };
    });
  }

  /** Every active user of the fallen node, queued for a move, durably, in the transition's transaction. */
  private async startFailover(node: NodeEntity, manager: EntityManager): Promise<number | null> {
    const users: Array<{ user_id: number }> = await manager.query(
      `SELECT user_id FROM assignments WHERE node_id = $1 AND state = 'active' ORDER BY id`,
      [node.id],
    );
    if (!users.length) return null;
    const job = await this.jobs.create(
      'failover',
      users.map((row) => ({ userId: row.user_id, fromNodeId: node.id, toNodeId: null })),
      { actor: 'system:health', nodeId: node.id },
      manager,
    );
    this.logger.warn(`node ${node.name} is down: failover job ${job.id} moves ${users.length} users`);
    return job.id;
  }

  /** Checks history, newest first. */
  history(nodeId: number, since: Date | null, limit = 1000) {
    return this.dataSource.query(
      `SELECT checked_at AS "checkedAt", ok, health_status AS "healthStatus", response_time_ms AS "responseTimeMs",
              cpu, mem_used AS "memUsed", mem_total AS "memTotal", online_clients AS "onlineClients",
              xray_state AS "xrayState", error
         FROM health_checks WHERE node_id = $1 AND ($2::timestamptz IS NULL OR checked_at >= $2)
        ORDER BY checked_at DESC LIMIT $3`,
      [nodeId, since, limit],
    );
  }
}

function inboundSnapshot(inbound: {
  id: number;
  protocol: string;
  port: number;
  remark: string;
  settings: string;
  streamSettings: string;
}): InboundSnapshot {
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
