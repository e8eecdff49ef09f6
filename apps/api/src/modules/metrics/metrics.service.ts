import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
    labelNames: ['node', 'direction'],
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
    labelNames: ['node'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'fleet_process_' });
  }
}
