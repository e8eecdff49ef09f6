import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface CheckRow {
  nodeId: number;
  ok: boolean;
  healthStatus: string;
  responseTimeMs: number;
  cpu: number | null;
  memUsed: number | null;
  memTotal: number | null;
  onlineClients: number | null;
  xrayState: string | null;
  error: string | null;
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

  /** Checks of a node, newest first. */
  history(nodeId: number, since: Date | null, limit: number) {
    return this.dataSource.query(
      `SELECT checked_at AS "checkedAt", ok, health_status AS "healthStatus", response_time_ms AS "responseTimeMs",
              cpu, mem_used AS "memUsed", mem_total AS "memTotal", online_clients AS "onlineClients",
              xray_state AS "xrayState", error
         FROM health_checks WHERE node_id = $1 AND ($2::timestamptz IS NULL OR checked_at >= $2)
        ORDER BY checked_at DESC LIMIT $3`,
      [nodeId, since, limit],
    );
  }

  /** Deletes up to `limit` checks older than `retentionDays` (bounded: a backlog goes over several sweeps). */
  async prune(retentionDays: number, limit: number): Promise<number> {
    const [{ n }]: Array<{ n: number }> = await this.dataSource.query(
      `WITH gone AS (DELETE FROM health_checks WHERE ctid IN (
         SELECT ctid FROM health_checks WHERE checked_at < now() - make_interval(days => $1) LIMIT $2)
       RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [retentionDays, limit],
    );
    return n;
  }
}
