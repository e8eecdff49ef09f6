import { Injectable, OnModuleInit } from '@nestjs/common';
import { EventType } from '@fleet/contract';
import { TombstonesService } from '../assignments/tombstones.service';
import { EventsService } from '../events/events.service';
import { JobEndings } from '../jobs/job-endings';
import { Job } from '../jobs/job.entity';
import { MetricsService } from '../metrics/metrics.service';
import { NodesService } from '../nodes/nodes.service';

/** How evacuations end: a deleted node goes once empty, a drained node is empty on its panel too, a failover reports. */
@Injectable()
export class EvacuationEndings implements OnModuleInit {
  constructor(
    private readonly endings: JobEndings,
    private readonly tombstones: TombstonesService,
    private readonly nodesService: NodesService,
    private readonly events: EventsService,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.endings.register('node-delete', {
      closing: async (job, error) => {
        // A node-delete job fails when users could not be moved or the node could not be deleted.
        const ending = (job.nodeId !== null ? await this.deleteNodeIfEmpty(job.nodeId, job.createdBy) : null) ?? error;
        return { error: ending, failed: ending !== null };
      },
    });
    // A drained node is empty on its panel too when the job ends (the loop retries what its panel refuses now).
    this.endings.register('drain', {
      closing: async (job, error) => {
        if (job.nodeId !== null) await this.tombstones.runDue({ nodeId: job.nodeId });
        return { error, failed: false };
      },
    });
    this.endings.register('failover', { closed: (job) => this.failoverCompleted(job) });
  }

  /** The node goes once nobody is left on it; otherwise it stays (inactive) and the job reports why. */
  private async deleteNodeIfEmpty(nodeId: number, actor: string): Promise<string | null> {
    const node = await this.nodesService.findById(nodeId);
    if (!node) return null;
    // The moved users' clients leave the retired panel first (tombstones go with the node).
    await this.tombstones.runDue({ nodeId: node.id });
    try {
      await this.nodesService.remove(node.id, actor);
      return null;
    } catch (error) {
      return `node not deleted: ${(error as Error).message}`;
    }
  }

  /** The alert (and webhook) that a dead node's users are all serving elsewhere, with how long it took. */
  private async failoverCompleted(job: Job): Promise<void> {
    const seconds = (Date.now() - job.createdAt.getTime()) / 1000;
    this.metrics.failoverSeconds.observe(seconds);
    this.metrics.failoverUsers.inc(job.done);
    await this.events.record({
      type: EventType.FailoverCompleted,
      actor: `job:${job.id}`,
      nodeId: job.nodeId,
      payload: { jobId: job.id, usersMoved: job.done, usersFailed: job.failed, seconds: Math.round(seconds * 10) / 10 },
    });
  }
}
