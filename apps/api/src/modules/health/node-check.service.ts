import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HealthStatus } from '@fleet/contract';
import { MetricsService } from '../metrics/metrics.service';
import { NodeEntity } from '../nodes/node.entity';
import { NodeChanges } from '../nodes/node-changes';
import { NodeLifecycle } from '../nodes/node-lifecycle';
import { NodesService } from '../nodes/nodes.service';
import { HealthRecorder } from './health-recorder';
import { NodeObserver } from './node-observer';

export interface CheckOutcome {
  ok: boolean;
  responseTimeMs: number;
  /** Why the check failed, in words anyone may read (stored as the node's last error and in its history). */
  error: string | null;
  /** For admins: our account of the failure and an excerpt of what the panel said (scrubbed, bounded). */
  detail: string | null;
  healthStatus: HealthStatus;
}

/**
 * Checks one node: observes it (NodeObserver), lets a node that is not serving yet pass the lifecycle's serving gates
 * first, records the outcome (HealthRecorder: hysteresis, history, events; a fall fires the lifecycle's fall hooks in
 * that transaction, the failover job starts there) and keeps a serving node in shape. Every check is stored.
 */
@Injectable()
export class NodeCheckService implements OnApplicationBootstrap {
  private readonly logger = new Logger(NodeCheckService.name);

  constructor(
    private readonly nodes: NodesService,
    private readonly changes: NodeChanges,
    private readonly observer: NodeObserver,
    private readonly recorder: HealthRecorder,
    private readonly lifecycle: NodeLifecycle,
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
    const observation = await this.observer.observe(node);
    if (observation.ok && node.healthStatus !== 'healthy') {
      // A node passes the lifecycle's gates before it may serve again.
      const refusal = await this.lifecycle.mayServe(node);
      if (refusal !== null) Object.assign(observation, { ok: false, error: refusal });
    }
    const { status, afterCommit } = await this.recorder.record(node, observation);
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
}
