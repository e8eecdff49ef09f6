import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DataSource } from 'typeorm';

/**
 * Prometheus metrics. One registry per application instance (tests run several in one process). Node and job
 * gauges are read from the database at scrape time, so every replica reports the same fleet-wide figures.
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

  constructor(@InjectDataSource() dataSource: DataSource) {
    collectDefaultMetrics({ register: this.registry, prefix: 'fleet_process_' });
    const nodeGauge = (name: string, help: string, pick: (row: NodeRow) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['node'],
        registers: [this.registry],
        async collect() {
          this.reset();
          for (const row of await nodeRows(dataSource)) this.set({ node: row.name }, pick(row));
        },
      });
    nodeGauge('fleet_node_healthy', '1 when the node is healthy, 0 otherwise', (r) =>
      r.health_status === 'healthy' ? 1 : 0,
    );
    nodeGauge('fleet_node_users', 'Users on the node (active and being placed)', (r) => r.current_users);
    nodeGauge('fleet_node_max_users', 'Capacity of the node', (r) => r.max_users);
    nodeGauge('fleet_node_response_time_ms', 'Last health-check response time', (r) => r.response_time_ms ?? 0);
    new Gauge({
      name: 'fleet_job_backlog',
      help: 'User moves waiting in unfinished jobs',
      registers: [this.registry],
      async collect() {
        const [{ n }] = await dataSource.query(
          `SELECT count(*)::int AS n FROM job_items i JOIN jobs j ON j.id = i.job_id
            WHERE i.state = 'pending' AND j.status IN ('pending', 'running')`,
        );
        this.set(n);
      },
    });
  }
}

interface NodeRow {
  name: string;
  health_status: string;
  current_users: number;
  max_users: number;
  response_time_ms: number | null;
}

function nodeRows(dataSource: DataSource): Promise<NodeRow[]> {
  return dataSource.query(`SELECT name, health_status, current_users, max_users, response_time_ms FROM nodes`);
}
