import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import type { HealthStatus, NodeStatus } from '@fleet/contract';
import type { NodeCandidate } from './node-candidate';
import type { DriftSummary, NodeListing } from './node.mapper';
import { InboundSnapshot, NodeEntity, StoredServerFigures } from './node.entity';
import { EligibilityFacts, eligibilityFactsSql, eligibleSql } from './node-eligibility';

/** What a health check writes on the node's row. */
export type HealthFields = Pick<
  NodeEntity,
  'healthStatus' | 'consecutiveFailures' | 'consecutiveSuccesses' | 'responseTimeMs' | 'lastError' | 'inboundSnapshot'
> & {
  /** What the check read of the server; null when it read nothing (the last figures stay, with their time). */
  serverFigures: StoredServerFigures | null;
  /** With figures that show the CPU above CPU_BUSY_PERCENT: that threshold, and how long the node stays busy. */
  cpuBusy: { above: number; forMs: number } | null;
};

/**
 * Node queries, and every write to `nodes` but one: the usage ledger stamps `usage_collected_at` itself
 * (`UsageRepository.markCollected`). Methods take an optional EntityManager to join the caller's transaction.
 */
@Injectable()
export class NodesRepository {
  constructor(@InjectRepository(NodeEntity) private readonly nodes: Repository<NodeEntity>) {}

  private repo(manager?: EntityManager): Repository<NodeEntity> {
    return manager ? manager.getRepository(NodeEntity) : this.nodes;
  }

  /**
   * Nodes as their views show them, in id order, filtered, optionally one page: the columns the view needs and the
   * counts of their last reconcile (never the secrets, the inbound snapshot or the drift samples). With the number
   * of nodes that match.
   */
  async listing(
    filter: NodeFilter,
  ): Promise<{ rows: Array<{ node: NodeListing; drift: DriftSummary | null }>; total: number }> {
    const values: unknown[] = [];
    const where: string[] = [];
    if (filter.status) where.push(`n.status = $${values.push(filter.status)}`);
    if (filter.health) where.push(`n.health_status = $${values.push(filter.health)}`);
    if (filter.location) where.push(`lower(n.location) = lower($${values.push(filter.location)})`);
    if (filter.search) {
      const pattern = `$${values.push(`%${filter.search.replace(/[%_\\]/g, '\\$&')}%`)}`;
      where.push(`(n.name ILIKE ${pattern} OR n.location ILIKE ${pattern} OR n.panel_url ILIKE ${pattern})`);
    }
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const after =
      filter.after === undefined ? '' : `${where.length ? 'AND' : 'WHERE'} n.id > $${values.push(filter.after)}`;
    const offset = filter.after === undefined ? ((filter.page ?? 1) - 1) * (filter.limit ?? 0) : 0;
    const page = filter.limit ? `LIMIT $${values.push(filter.limit)} OFFSET $${values.push(offset)}` : '';
    const rows: Array<NodeListing & { driftCheckedAt: Date | null } & Omit<DriftSummary, 'checkedAt'>> =
      await this.nodes.query(
        `SELECT n.id, n.name, n.description, n.location, n.group_id AS "groupId", n.panel_url AS "panelUrl",
                n.panel_username AS "panelUsername", n.panel_api_token IS NOT NULL AS "hasPanelApiToken",
                n.public_host AS "publicHost", n.tls_verify AS "tlsVerify", n.priority, n.weight,
                n.usage_multiplier::float8 AS "usageMultiplier", ${eligibilityFactsSql('n')},
                n.last_health_check AS "lastHealthCheck", n.response_time_ms AS "responseTimeMs",
                n.last_error AS "lastError", n.server_figures AS "serverFigures", n.figures_at AS "figuresAt",
                n.created_at AS "createdAt", n.updated_at AS "updatedAt",
                d.checked_at AS "driftCheckedAt", d.missing, d.changed, d.extra, d.inbound
           FROM nodes n LEFT JOIN node_drift d ON d.node_id = n.id
           ${whereSql} ${after} ORDER BY n.id ${page}`,
        values,
      );
    const total =
      filter.limit || filter.after !== undefined
        ? (
            await this.nodes.query(`SELECT count(*)::int AS n FROM nodes n ${whereSql}`, values.slice(0, where.length))
          )[0].n
        : rows.length;
    return {
      rows: rows.map(({ driftCheckedAt, missing, changed, extra, inbound, ...node }) => ({
        node,
        drift: driftCheckedAt ? { checkedAt: driftCheckedAt, missing, changed, extra, inbound } : null,
      })),
      total,
    };
  }

  /** Every node's load and what decides its eligibility, in id order: the few columns loads and plans read. */
  loadFacts(): Promise<NodeLoadFacts[]> {
    return this.nodes.query(
      `SELECT n.id, n.name, n.location, n.priority, n.weight, n.group_id AS "groupId", ${eligibilityFactsSql('n')}
         FROM nodes n ORDER BY n.id`,
    );
  }

  findAll(): Promise<NodeEntity[]> {
    return this.nodes.find({ order: { id: 'ASC' } });
  }

  findByIds(ids: number[]): Promise<NodeEntity[]> {
    return ids.length ? this.nodes.find({ where: { id: In(ids) } }) : Promise.resolve([]);
  }

  findById(id: number, manager?: EntityManager): Promise<NodeEntity | null> {
    return this.repo(manager).findOneBy({ id });
  }

  /** Locks the row until the transaction ends, so concurrent edits of one node serialise. */
  findByIdForUpdate(id: number, manager: EntityManager): Promise<NodeEntity | null> {
    return manager.getRepository(NodeEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  findByName(name: string, manager?: EntityManager): Promise<NodeEntity | null> {
    return this.repo(manager).createQueryBuilder('n').where('lower(n.name) = lower(:name)', { name }).getOne();
  }

  save(node: NodeEntity, manager: EntityManager): Promise<NodeEntity> {
    return manager.getRepository(NodeEntity).save(node);
  }

  create(fields: Partial<NodeEntity>): NodeEntity {
    return this.nodes.create(fields);
  }

  async remove(id: number, manager: EntityManager): Promise<void> {
    await manager.getRepository(NodeEntity).delete(id);
  }

  /** What placement ranks, in one lean query (it runs under the placement lock). */
  async candidates(manager: EntityManager): Promise<NodeCandidate[]> {
    return manager.query(
      `SELECT n.id, n.location, n.priority, n.weight, n.group_id AS "groupId", ${eligibilityFactsSql('n')}
         FROM nodes n`,
    );
  }

  /**
   * Takes `count` seats on each node in one statement, re-checking the eligibility rule and the capacity in SQL: a
   * node that cannot take all its seats takes none. Answers the nodes that took theirs.
   */
  async takeSeats(seats: Map<number, number>, manager: EntityManager): Promise<Set<number>> {
    if (!seats.size) return new Set();
    const [ids, counts] = sorted(seats);
    const [rows]: [Array<{ id: number }>, number] = await manager.query(
      `${LOCK_IN_ORDER}
       UPDATE nodes SET current_users = nodes.current_users + s.n
         FROM unnest($1::int[], $2::int[]) AS s(id, n)
        WHERE nodes.id = s.id AND nodes.id IN (SELECT id FROM locked) AND ${eligibleSql('nodes', { seats: false })}
          AND nodes.current_users + s.n <= nodes.max_users
        RETURNING nodes.id`,
      [ids, counts],
    );
    return new Set(rows.map((row) => row.id));
  }

  /** Gives seats back (never below zero). */
  async releaseSeats(seats: Map<number, number>, manager: EntityManager): Promise<void> {
    if (!seats.size) return;
    await manager.query(
      `${LOCK_IN_ORDER}
       UPDATE nodes SET current_users = GREATEST(nodes.current_users - s.n, 0)
         FROM unnest($1::int[], $2::int[]) AS s(id, n) WHERE nodes.id = s.id AND nodes.id IN (SELECT id FROM locked)`,
      sorted(seats),
    );
  }

  async addSeats(nodeId: number, count: number, manager: EntityManager): Promise<void> {
    await manager.getRepository(NodeEntity).increment({ id: nodeId }, 'currentUsers', count);
  }

  /**
   * A health check's result on the node row (not a configuration change: `updated_at` stays), its server figures
   * and CPU judgement included: one statement per check.
   */
  async recordHealth(nodeId: number, fields: HealthFields, manager: EntityManager): Promise<void> {
    await manager.query(
      `UPDATE nodes SET health_status = $2, consecutive_failures = $3, consecutive_successes = $4,
              last_health_check = now(), response_time_ms = $5, last_error = $6, inbound_snapshot = $7,
              server_figures = COALESCE($8::jsonb, server_figures),
              figures_at = CASE WHEN $8::jsonb IS NULL THEN figures_at ELSE now() END,
              cpu_busy_above = CASE WHEN $8::jsonb IS NULL THEN cpu_busy_above ELSE $9::smallint END,
              cpu_busy_until = CASE WHEN $8::jsonb IS NULL THEN cpu_busy_until
                                    WHEN $9::smallint IS NULL THEN NULL
                                    ELSE now() + $10::float8 * interval '1 millisecond' END
        WHERE id = $1`,
      [
        nodeId,
        fields.healthStatus,
        fields.consecutiveFailures,
        fields.consecutiveSuccesses,
        fields.responseTimeMs,
        fields.lastError,
        fields.inboundSnapshot,
        fields.serverFigures,
        fields.cpuBusy?.above ?? null,
        fields.cpuBusy?.forMs ?? null,
      ],
    );
  }

  /** The panel's inbound changed (a port, stream settings): links and new clients follow it from now on. */
  async refreshInbound(nodeId: number, snapshot: InboundSnapshot): Promise<void> {
    await this.nodes.query(`UPDATE nodes SET inbound_snapshot = $2 WHERE id = $1 AND inbound_id = $3`, [
      nodeId,
      snapshot,
      snapshot.id,
    ]);
  }

  /** Free seats on the eligible nodes of this node's group, itself left out: where its users' seats can go. */
  async freeSeatsBeside(nodeId: number): Promise<number> {
    const [row]: Array<{ free: number }> = await this.nodes.query(
      `SELECT COALESCE(sum(n.max_users - n.current_users), 0)::int AS free FROM nodes n
        WHERE n.group_id = (SELECT group_id FROM nodes WHERE id = $1) AND n.id <> $1 AND ${eligibleSql('n')}`,
      [nodeId],
    );
    return row.free;
  }

  /** Node-level counts for the dashboard (free capacity: on nodes that may take users). */
  async fleetCounts(): Promise<{
    total: number;
    healthy: number;
    unhealthy: number;
    /** Unhealthy among the active ones: nodes that should serve and do not. */
    down: number;
    unknown: number;
    maintenance: number;
    inactive: number;
    capacityMax: number;
    capacityFree: number;
  }> {
    const [row] = await this.nodes.query(`
      SELECT count(*)::int AS total,
             count(*) FILTER (WHERE health_status = 'healthy')::int AS healthy,
             count(*) FILTER (WHERE health_status = 'unhealthy')::int AS unhealthy,
             count(*) FILTER (WHERE health_status = 'unhealthy' AND status = 'active')::int AS down,
             count(*) FILTER (WHERE health_status = 'unknown')::int AS unknown,
             count(*) FILTER (WHERE status = 'maintenance')::int AS maintenance,
             count(*) FILTER (WHERE status = 'inactive')::int AS inactive,
             coalesce(sum(max_users) FILTER (WHERE status = 'active'), 0)::int AS "capacityMax",
             coalesce(sum(greatest(max_users - current_users, 0)) FILTER (WHERE ${eligibleSql('nodes', {
               seats: false,
             })}), 0)::int AS "capacityFree"
        FROM nodes`);
    return row;
  }
}

/**
 * Counter updates lock their node rows in id order first, so transactions that change several nodes' counters at
 * once (batches running side by side) never wait on each other in a cycle. NO KEY UPDATE, the lock an UPDATE of
 * a non-key column takes anyway, leaves foreign-key checks (rows that reference the node) unblocked.
 */
const LOCK_IN_ORDER = 'WITH locked AS (SELECT id FROM nodes WHERE id = ANY($1::int[]) ORDER BY id FOR NO KEY UPDATE)';

function sorted(seats: Map<number, number>): [number[], number[]] {
  const ids = [...seats.keys()].sort((a, b) => a - b);
  return [ids, ids.map((id) => seats.get(id)!)];
}

export type NodeLoadFacts = EligibilityFacts &
  Pick<NodeEntity, 'id' | 'name' | 'location' | 'priority' | 'weight' | 'groupId'>;

export interface NodeFilter {
  status?: NodeStatus;
  health?: HealthStatus;
  location?: string;
  search?: string;
  limit?: number;
  page?: number;
  /** The last id of the previous page: the page after it, by key (`page` is then ignored). */
  after?: number;
}
