import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { StatsOverview } from '@fleet/contract';

/** Fleet-wide counts for the dashboard, in one round trip. */
@Injectable()
export class StatsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async overview(): Promise<StatsOverview> {
    const [row] = await this.dataSource.query(`
      SELECT
        (SELECT count(*) FROM nodes)::int AS nodes_total,
        (SELECT count(*) FROM nodes WHERE health_status = 'healthy')::int AS nodes_healthy,
        (SELECT count(*) FROM nodes WHERE health_status = 'unhealthy')::int AS nodes_unhealthy,
        (SELECT count(*) FROM nodes WHERE health_status = 'unknown')::int AS nodes_unknown,
        (SELECT count(*) FROM nodes WHERE status = 'maintenance')::int AS nodes_maintenance,
        (SELECT count(*) FROM nodes WHERE status = 'inactive')::int AS nodes_inactive,
        (SELECT count(*) FROM vpn_users)::int AS users_total,
        (SELECT count(*) FROM assignments WHERE state = 'active')::int AS users_placed,
        (SELECT coalesce(sum(max_users), 0) FROM nodes WHERE status = 'active')::int AS capacity_max,
        (SELECT coalesce(sum(greatest(max_users - current_users, 0)), 0) FROM nodes
          WHERE status = 'active' AND health_status = 'healthy')::int AS capacity_free,
        (SELECT count(*) FROM jobs WHERE status IN ('pending', 'running'))::int AS jobs_running,
        (SELECT count(*) FROM job_items i JOIN jobs j ON j.id = i.job_id
          WHERE i.state = 'pending' AND j.status IN ('pending', 'running'))::int AS moves_queued,
        (SELECT count(*) FROM events WHERE type = 'node.down' AND created_at > now() - interval '24 hours')::int
          AS node_down_24h`);
    return {
      nodes: {
        total: row.nodes_total,
        healthy: row.nodes_healthy,
        unhealthy: row.nodes_unhealthy,
        unknown: row.nodes_unknown,
        maintenance: row.nodes_maintenance,
        inactive: row.nodes_inactive,
      },
      users: { total: row.users_total, placed: row.users_placed },
      capacity: { max: row.capacity_max, free: row.capacity_free },
      jobs: { running: row.jobs_running, queuedMoves: row.moves_queued },
      alerts: { nodeDownLast24h: row.node_down_24h },
    };
  }
}
