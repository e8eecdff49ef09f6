import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EventType, HealthStatus } from '@fleet/contract';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { EventsService } from '../events/events.service';
import { NodeEntity } from '../nodes/node.entity';
import { AfterCommit, NodeLifecycle } from '../nodes/node-lifecycle';
import { NodesService } from '../nodes/nodes.service';
import { cpuBusy } from './cpu-busy';
import { HealthRepository } from './health.repository';
import { nextHealth } from './hysteresis';
import { Observation } from './node-observer';

/**
 * Records a check in one transaction: the node's health after hysteresis (a node never checked takes the first
 * result; then it falls after HEALTH_FALL failures and rises after HEALTH_RISE successes) and its server figures with
 * whether its CPU keeps it from new users, the check in its history, and on a transition its event; a fall also fires
 * the node lifecycle's fall hooks in that transaction.
 */
@Injectable()
export class HealthRecorder {
  private readonly logger = new Logger(HealthRecorder.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly nodesService: NodesService,
    private readonly health: HealthRepository,
    private readonly events: EventsService,
    private readonly lifecycle: NodeLifecycle,
  ) {}

  /** Answers the node's health now, and what to do once the transaction has committed. */
  async record(
    node: NodeEntity,
    seen: Observation,
  ): Promise<{ status: HealthStatus; afterCommit: AfterCommit | null }> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.nodesService.lockForUpdate(node.id, manager);
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
      const figures = seen.figures;
      await this.nodesService.recordHealth(
        node.id,
        {
          healthStatus: next.status,
          consecutiveFailures: next.consecutiveFailures,
          consecutiveSuccesses: next.consecutiveSuccesses,
          responseTimeMs: seen.ok ? seen.responseTimeMs : null,
          lastError: seen.error,
          inboundSnapshot: seen.snapshot,
          serverFigures: figures && { ...figures, onlineClients: seen.onlineClients },
          cpuBusy: figures && cpuBusy(figures.cpuPercent, this.config),
        },
        manager,
      );
      await this.health.insert(
        {
          nodeId: node.id,
          ok: seen.ok,
          healthStatus: next.status,
          responseTimeMs: seen.responseTimeMs,
          cpu: figures?.cpuPercent ?? null,
          memUsed: figures?.memory.used ?? null,
          memTotal: figures?.memory.total ?? null,
          onlineClients: seen.onlineClients,
          xrayState: figures?.xray.state ?? null,
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
