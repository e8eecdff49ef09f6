import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { FleetHealthStep, HealthCheckView } from '@fleet/contract';

export interface SweepFigures extends FleetHealthStep {
  slowestNodeId: number | null;
}

/**
 * One check to record: what the history route shows of it (but the percents, derived from its figures), for one
 * node, timed whether or not it failed.
 */
export interface CheckRow
  extends Omit<HealthCheckView, 'checkedAt' | 'responseTimeMs' | 'cpuPercent' | 'memoryPercent'> {
  nodeId: number;
  responseTimeMs: number;
}

/** Every query on `health_checks` and `task_runs`. */
@Injectable()
export class HealthRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(check: CheckRow, manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO health_checks (node_id, ok, health_status, response_time_ms, cpu, mem_used, mem_total,
                                  online_clients, xray_state, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        check.nodeId,
        check.ok,
        check.healthStatus,
        check.responseTimeMs,
        check.cpu,
        check.memUsed,
        check.memTotal,
        check.onlineClients,
        check.xrayState,
        check.error,
      ],
    );
  }

  /** Checks of a node, newest first; percents only where the figures make sense (rows from before are unchecked). */
  async history(nodeId: number, since: Date | null, limit: number): Promise<HealthCheckView[]> {
    const rows: Array<HealthCheckView & { checkedAt: Date }> = await this.dataSource.query(
      `SELECT checked_at AS "checkedAt", ok, health_status AS "healthStatus", response_time_ms AS "responseTimeMs",
              cpu, mem_used::float8 AS "memUsed", mem_total::float8 AS "memTotal",
              CASE WHEN cpu BETWEEN 0 AND 100 THEN cpu END AS "cpuPercent",
              CASE WHEN mem_total > 0 AND mem_used >= 0
                   THEN least(100, round(100.0 * mem_used / mem_total, 1))::float8 END AS "memoryPercent",
              online_clients AS "onlineClients", xray_state AS "xrayState", error
         FROM health_checks WHERE node_id = $1 AND ($2::timestamptz IS NULL OR checked_at >= $2)
        ORDER BY checked_at DESC LIMIT $3`,
      [nodeId, since, limit],
    );
    return rows.map((row) => ({ ...row, checkedAt: row.checkedAt.toISOString() }));
  }

  async insertSweep(sweep: SweepFigures): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO health_sweeps (checked, failed, median_ms, p95_ms, slowest_ms, slowest_node_id)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [sweep.checked, sweep.failed, sweep.medianMs, sweep.p95Ms, sweep.slowestMs, sweep.slowestNodeId],
    );
  }

  /**
   * The sweeps per `stepMs` from `from` (epoch ms, a multiple of the step): a step's median is the mean of its
   * sweeps' medians, its 95th percentile and slowest the highest. A row per step that had sweeps.
   */
  recentSweeps(from: number, stepMs: number): Promise<Array<FleetHealthStep & { step: number }>> {
    return this.dataSource.query(
      `SELECT floor((extract(epoch FROM swept_at) * 1000 - $1) / $2)::int AS step,
              sum(checked)::int AS checked, sum(failed)::int AS failed, round(avg(median_ms))::int AS "medianMs",
              max(p95_ms) AS "p95Ms", max(slowest_ms) AS "slowestMs"
         FROM health_sweeps WHERE swept_at >= to_timestamp($1 / 1000.0)
        GROUP BY 1 ORDER BY 1`,
      [from, stepMs],
    );
  }

  /**
   * Mean response time of each node's successful checks per `stepMs` from `from`, for fleets of at most `upTo` nodes
   * (none otherwise): a row per node with its steps as `[index, ms]` pairs.
   */
  recentPerNode(
    from: number,
    stepMs: number,
    upTo: number,
  ): Promise<Array<{ nodeId: number; steps: Array<[number, number | null]> }>> {
    return this.dataSource.query(
      `SELECT node_id AS "nodeId", json_agg(json_build_array(step, ms) ORDER BY step) AS steps
         FROM (SELECT node_id, floor((extract(epoch FROM checked_at) * 1000 - $1) / $2)::int AS step,
                      round(avg(response_time_ms) FILTER (WHERE ok))::int AS ms
                 FROM health_checks
                WHERE checked_at >= to_timestamp($1 / 1000.0) AND (SELECT count(*) FROM nodes) <= $3
                GROUP BY 1, 2) per_step
        GROUP BY node_id ORDER BY node_id`,
      [from, stepMs, upTo],
    );
  }

  /**
   * Deletes up to `limit` checks older than `retentionDays`, and the sweeps of that age (bounded: a backlog goes
   * over several sweeps).
   */
  async prune(retentionDays: number, limit: number): Promise<number> {
    const [{ n }]: Array<{ n: number }> = await this.dataSource.query(
      `WITH gone AS (DELETE FROM health_checks WHERE ctid IN (
         SELECT ctid FROM health_checks WHERE checked_at < now() - make_interval(days => $1) LIMIT $2)
       RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [retentionDays, limit],
    );
    await this.dataSource.query(
      `DELETE FROM health_sweeps WHERE id IN (
         SELECT id FROM health_sweeps WHERE swept_at < now() - make_interval(days => $1) ORDER BY id LIMIT $2)`,
      [retentionDays, limit],
    );
    return n;
  }
}
