import { Injectable, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { JobsService } from '../jobs/jobs.service';
import { NodeEntity, StoredServerFigures } from '../nodes/node.entity';
import { NodesService } from '../nodes/nodes.service';
import { OutboxBacklog, WebhookOutboxService } from '../outbox/webhook-outbox.service';
import { MetricsService, nodeLabels } from '../metrics/metrics.service';

/**
 * Gauges read from the database when Prometheus scrapes: per-node health, load, capacity, server figures and drift,
 * the job backlog, the webhook backlog. The per-node gauges of one scrape share one read of the nodes.
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
    const allNodes = sharedWhileLoading(() => nodes.findAll());
    /** A node for which `pick` answers null has no sample. */
    const nodeGauge = (name: string, help: string, pick: (node: NodeEntity) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['node_id', 'node'],
        registers,
        async collect() {
          this.reset();
          for (const node of await allNodes()) {
            const value = pick(node);
            if (value !== null) this.set(nodeLabels(node), value);
          }
        },
      });
    /** A figure of the node's last check; none when that check could not read the figures (or it was not reported). */
    const figureGauge = (name: string, help: string, pick: (figures: StoredServerFigures) => number | null) =>
      nodeGauge(name, `${help} (as the node's panel reported it at its last health check)`, (node) =>
        node.serverFigures && node.figuresAt && node.lastHealthCheck && node.figuresAt >= node.lastHealthCheck
          ? pick(node.serverFigures)
          : null,
      );
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
    figureGauge('fleet_node_cpu_percent', "CPU use of the node's server, percent", (f) => f.cpuPercent);
    figureGauge('fleet_node_memory_used_bytes', "Memory in use on the node's server", (f) => f.memory.used);
    figureGauge('fleet_node_memory_total_bytes', "Memory of the node's server", (f) => f.memory.total);
    figureGauge('fleet_node_uptime_seconds', "Seconds since the node's server started", (f) => f.uptimeSeconds);
    figureGauge('fleet_node_xray_running', '1 when Xray runs on the node, 0 otherwise', (f) =>
      f.xray.state === null ? null : f.xray.state === 'running' ? 1 : 0,
    );
    new Gauge({
      name: 'fleet_node_drift',
      help: 'Differences from the database left after the last reconcile of the node, by kind',
      labelNames: ['node_id', 'node', 'kind'],
      registers,
      async collect() {
        this.reset();
        const all = await allNodes();
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

/**
 * One load shared by every caller while it runs: prom-client starts every gauge's collect of a scrape at once, so the
 * gauges of one scrape read the database once.
 */
function sharedWhileLoading<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | null = null;
  return () =>
    (loading ??= load().finally(() => {
      loading = null;
    }));
}
