import { Injectable, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { JobsService } from '../jobs/jobs.service';
import { NodeEntity } from '../nodes/node.entity';
import { NodesService } from '../nodes/nodes.service';
import { OutboxBacklog, WebhookOutboxService } from '../outbox/webhook-outbox.service';
import { MetricsService, nodeLabels } from '../metrics/metrics.service';

/**
 * Gauges read from the database when Prometheus scrapes: per-node health, load, capacity and drift, the job
 * backlog, the webhook backlog.
 */
@Injectable()
export class FleetGauges implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly nodes: NodesService,
    private readonly jobs: JobsService,
    private readonly webhooks: WebhookOutboxService,
  ) {}

  onModuleInit(): void {
    const registers = [this.metrics.registry];
    const nodes = this.nodes;
    const nodeGauge = (name: string, help: string, pick: (node: NodeEntity) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['node_id', 'node'],
        registers,
        async collect() {
          this.reset();
          for (const node of await nodes.findAll()) this.set(nodeLabels(node), pick(node));
        },
      });
    nodeGauge('fleet_node_healthy', '1 when the node is healthy, 0 otherwise', (n) =>
      n.healthStatus === 'healthy' ? 1 : 0,
    );
    nodeGauge('fleet_node_users', 'Users on the node (active and being placed)', (n) => n.currentUsers);
    nodeGauge('fleet_node_max_users', 'Capacity of the node', (n) => n.maxUsers);
    nodeGauge(
      'fleet_node_response_time_seconds',
      'Response time of the last health check',
      (n) => (n.responseTimeMs ?? 0) / 1000,
    );
    nodeGauge(
      'fleet_node_usage_collection_age_seconds',
      'Seconds since the usage pass last read and booked the node (-1: never)',
      (n) => (n.usageCollectedAt ? Math.round((Date.now() - n.usageCollectedAt.getTime()) / 1000) : -1),
    );
    new Gauge({
      name: 'fleet_node_drift',
      help: 'Differences from the database left after the last reconcile of the node, by kind',
      labelNames: ['node_id', 'node', 'kind'],
      registers,
      async collect() {
        this.reset();
        const all = await nodes.findAll();
        const records = await nodes.driftOf(all.map((node) => node.id));
        for (const node of all) {
          const record = records.get(node.id);
          if (!record) continue;
          for (const kind of ['missing', 'changed', 'extra', 'foreign'] as const) {
            this.set({ ...nodeLabels(node), kind }, record[kind]);
          }
          this.set({ ...nodeLabels(node), kind: 'inbound' }, record.inbound.length);
        }
      },
    });
    const jobs = this.jobs;
    new Gauge({
      name: 'fleet_job_backlog',
      help: 'User moves waiting in unfinished jobs',
      registers,
      async collect() {
        this.set((await jobs.backlog()).queuedMoves);
      },
    });
    const webhooks = this.webhooks;
    const webhookGauge = (name: string, help: string, pick: (backlog: OutboxBacklog) => number) =>
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          this.set(pick(await webhooks.backlog()));
        },
      });
    webhookGauge('fleet_webhook_backlog_messages', 'Webhooks not delivered yet', (b) => b.messages);
    webhookGauge(
      'fleet_webhook_oldest_pending_age_seconds',
      'Age of the oldest webhook not delivered yet (0: none waiting)',
      (b) => b.oldestAgeSeconds,
    );
    webhookGauge(
      'fleet_webhook_retrying_subjects',
      'Users and nodes whose next webhook failed and waits for its retry (their later webhooks wait with it)',
      (b) => b.retrying,
    );
  }
}
