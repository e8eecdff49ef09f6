import type { HealthStatus, NodeStatus } from '@fleet/contract';
import type { NodeEntity } from './node.entity';

/** What decides whether a node may take a user. */
export interface EligibilityFacts {
  status: NodeStatus;
  healthStatus: HealthStatus;
  inboundId: number | null;
  /** The inbound has been read from the panel (share links and clients need it). */
  inboundRead: boolean;
  currentUsers: number;
  maxUsers: number;
}

/**
 * THE eligibility rule: why a node cannot take a user now, in words, or null when it can. The same rule in SQL is
 * `eligibleSql`; a test runs both over a table of cases.
 */
export function ineligibleReason(node: EligibilityFacts): string | null {
  if (node.status !== 'active') return `status is ${node.status}`;
  if (node.healthStatus !== 'healthy') return node.healthStatus === 'unknown' ? 'not checked yet' : 'unhealthy';
  if (node.inboundId === null) return 'no inbound chosen';
  if (!node.inboundRead) return 'inbound not read yet (it is read at the next health check)';
  if (node.currentUsers >= node.maxUsers) return 'full';
  return null;
}

/** Eligible but for its seats: it may serve users (and give some up in a rebalance), full or not. */
export function eligibleApartFromSeats(node: EligibilityFacts): boolean {
  return ineligibleReason({ ...node, currentUsers: 0, maxUsers: 1 }) === null;
}

/** Whether the node can keep serving the users it has: eligible apart from seats, and not over capacity. */
export function canServe(node: EligibilityFacts): boolean {
  return eligibleApartFromSeats(node) && node.currentUsers <= node.maxUsers;
}

/** `ineligibleReason(n) === null` over the `nodes` row named `alias`, minus the seat check when `seats` is false. */
export function eligibleSql(alias: string, { seats = true } = {}): string {
  const rule = [
    `${alias}.status = 'active'`,
    `${alias}.health_status = 'healthy'`,
    `${alias}.inbound_id IS NOT NULL`,
    `${alias}.inbound_snapshot IS NOT NULL`,
  ];
  if (seats) rule.push(`${alias}.current_users < ${alias}.max_users`);
  return `(${rule.join(' AND ')})`;
}

export function eligibilityFacts(node: NodeEntity): EligibilityFacts {
  return {
    status: node.status,
    healthStatus: node.healthStatus,
    inboundId: node.inboundId,
    inboundRead: node.inboundSnapshot !== null,
    currentUsers: node.currentUsers,
    maxUsers: node.maxUsers,
  };
}
