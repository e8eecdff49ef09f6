import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** prom-client's default gauges named like counters (`promtool` refuses them); each is the sum of the same name
 * without `_total`, which is kept (by type). */
const DEFAULT_GAUGES_NAMED_TOTAL = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** How a node is labelled: by id (stable) and by name (readable). */
export function nodeLabels(node: { id: number; name: string }): { node_id: string; node: string } {
  return { node_id: String(node.id), node: node.name };
}

/**
 * Prometheus metrics. One registry per application instance (tests run several in one process). The fleet gauges
 * (`FleetGauges`) read the database at scrape time, so every replica reports the same fleet-wide figures.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly checkLatency = new Histogram({
    name: 'fleet_health_check_seconds',
    help: 'Duration of node health checks',
    labelNames: ['result'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8],
    registers: [this.registry],
  });
  readonly placements = new Counter({
    name: 'fleet_placements_total',
    help: 'Users placed on a node',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly migrations = new Counter({
    name: 'fleet_migrations_total',
    help: 'Users moved between nodes',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly failoverSeconds = new Histogram({
    name: 'fleet_failover_duration_seconds',
    help: 'Time from a node going down to its last user being active elsewhere',
    buckets: [1, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers: [this.registry],
  });
  readonly failoverUsers = new Counter({
    name: 'fleet_failover_users_moved_total',
    help: 'Users moved off failed nodes',
    registers: [this.registry],
  });

  readonly usageBytes = new Counter({
    name: 'fleet_usage_booked_bytes_total',
    help: 'Traffic booked in the usage ledger, as the panels counted it',
    labelNames: ['node_id', 'node', 'direction'],
    registers: [this.registry],
  });
  readonly usagePassSeconds = new Histogram({
    name: 'fleet_usage_pass_duration_seconds',
    help: 'Duration of a usage pass (every panel read and booked)',
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });

  readonly reconcileCorrections = new Counter({
    name: 'fleet_reconcile_corrections_total',
    help: 'Drift corrected on panels by reconciles',
    labelNames: ['node_id', 'node'],
    registers: [this.registry],
  });

  readonly telegramMessages = new Counter({
    name: 'fleet_telegram_messages_total',
    help: 'Telegram alert messages sent by this process, by result (sent, rate_limited, failed)',
    labelNames: ['result'],
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'fleet_webhook_deliveries_total',
    help: 'Webhook delivery attempts by this process, by event type and result (delivered, failed)',
    labelNames: ['type', 'result'],
    registers: [this.registry],
  });

  readonly httpRequestSeconds = new Histogram({
    name: 'fleet_http_request_duration_seconds',
    help: 'HTTP requests answered, by method, route template (unmatched: no route) and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const name of DEFAULT_GAUGES_NAMED_TOTAL) this.registry.removeSingleMetric(name);
  }
}
