import type { HealthStatus, NodeStatus } from '@fleet/contract';
import type { NodeEntity } from './node.entity';

/** What decides whether a node may serve users at all. */
export interface ServingFacts {
  status: NodeStatus;
  healthStatus: HealthStatus;
  inboundId: number | null;
  /** The inbound has been read from the panel (share links and clients need it). */
  inboundRead: boolean;
  currentUsers: number;
  maxUsers: number;
}

/** What decides whether a node may take a user: whether it serves, its seats, and its CPU. */
export interface EligibilityFacts extends ServingFacts {
  /** The CPU its panel last reported, percent. */
  cpuPercent: number | null;
  /** Set by a check that found the CPU above CPU_BUSY_PERCENT: that threshold, and until when it holds. */
  cpuBusyAbove: number | null;
  cpuBusyUntil: Date | null;
}

/**
 * THE eligibility rule: why a node cannot take a user now, in words, or null when it can. The same rule in SQL is
 * `eligibleSql`; a test runs both over a table of cases.
 */
export function ineligibleReason(node: EligibilityFacts, now = Date.now()): string | null {
  return unservingReason(node) ?? busyReason(node, now) ?? (node.currentUsers >= node.maxUsers ? 'full' : null);
}

/** Eligible but for its seats: it may serve users (and give some up in a rebalance), full or not. */
export function eligibleApartFromSeats(node: EligibilityFacts, now = Date.now()): boolean {
  return unservingReason(node) === null && busyReason(node, now) === null;
}

/** Whether the node can keep serving the users it has: it serves, and is not over capacity (full or busy is fine). */
export function canServe(node: ServingFacts): boolean {
  return unservingReason(node) === null && node.currentUsers <= node.maxUsers;
}

function unservingReason(node: ServingFacts): string | null {
  if (node.status !== 'active') return `status is ${node.status}`;
  if (node.healthStatus !== 'healthy') return node.healthStatus === 'unknown' ? 'not checked yet' : 'unhealthy';
  if (node.inboundId === null) return 'no inbound chosen';
  if (!node.inboundRead) return 'inbound not read yet (it is read at the next health check)';
  return null;
}

function busyReason(node: EligibilityFacts, now: number): string | null {
  if (node.cpuBusyUntil === null || node.cpuBusyUntil.getTime() <= now) return null;
  if (node.cpuPercent === null) return `its CPU is busy (above ${node.cpuBusyAbove} %)`;
  return `its CPU is at ${Math.round(node.cpuPercent * 10) / 10} % (busy above ${node.cpuBusyAbove} %)`;
}

/** `ineligibleReason(n) === null` over the `nodes` row named `alias`, minus the seat check when `seats` is false. */
export function eligibleSql(alias: string, { seats = true } = {}): string {
  const rule = [
    `${alias}.status = 'active'`,
    `${alias}.health_status = 'healthy'`,
    `${alias}.inbound_id IS NOT NULL`,
    `${alias}.inbound_snapshot IS NOT NULL`,
    `(${alias}.cpu_busy_until IS NULL OR ${alias}.cpu_busy_until <= now())`,
  ];
  if (seats) rule.push(`${alias}.current_users < ${alias}.max_users`);
  return `(${rule.join(' AND ')})`;
}

/** The facts columns of `eligibleSql`'s rule, selected from the `nodes` row named `alias` (for `EligibilityFacts`). */
export function eligibilityFactsSql(alias: string): string {
  return `${alias}.status, ${alias}.health_status AS "healthStatus", ${alias}.inbound_id AS "inboundId",
          ${alias}.inbound_snapshot IS NOT NULL AS "inboundRead", ${alias}.current_users AS "currentUsers",
          ${alias}.max_users AS "maxUsers", (${alias}.server_figures ->> 'cpuPercent')::float8 AS "cpuPercent",
          ${alias}.cpu_busy_above AS "cpuBusyAbove", ${alias}.cpu_busy_until AS "cpuBusyUntil"`;
}

export function eligibilityFacts(node: NodeEntity): EligibilityFacts {
  return {
    status: node.status,
    healthStatus: node.healthStatus,
    inboundId: node.inboundId,
    inboundRead: node.inboundSnapshot !== null,
    currentUsers: node.currentUsers,
    maxUsers: node.maxUsers,
    cpuPercent: node.serverFigures?.cpuPercent ?? null,
    cpuBusyAbove: node.cpuBusyAbove,
    cpuBusyUntil: node.cpuBusyUntil,
  };
}
