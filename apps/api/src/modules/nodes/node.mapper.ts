import { NodeServerFigures, NodeView } from '@fleet/contract';
import type { DriftRecord } from './node-drift';
import { NodeEntity } from './node.entity';
import { ineligibleReason } from './node-eligibility';

/** What a node's view shows of its last reconcile. */
export type DriftSummary = Pick<DriftRecord, 'checkedAt' | 'missing' | 'changed' | 'extra' | 'inbound'>;

/**
 * What a node's view is made of: its row without its secrets and inbound snapshot, only whether they are set, and
 * its CPU figure on its own (what eligibility reads).
 */
export type NodeListing = Omit<
  NodeEntity,
  | 'panelPasswordEncrypted'
  | 'panelApiTokenEncrypted'
  | 'inboundSnapshot'
  | 'usageCollectedAt'
  | 'consecutiveFailures'
  | 'consecutiveSuccesses'
> & { hasPanelApiToken: boolean; inboundRead: boolean; cpuPercent: number | null };

export function listingOf(node: NodeEntity): NodeListing {
  return {
    ...node,
    hasPanelApiToken: node.panelApiTokenEncrypted !== null,
    inboundRead: node.inboundSnapshot !== null,
    cpuPercent: node.serverFigures?.cpuPercent ?? null,
  };
}

/** The API view of a node: no secret, ever. */
export function mapNode(node: NodeListing, drift: DriftSummary | null = null): NodeView {
  const reason = ineligibleReason(node);
  return {
    id: node.id,
    name: node.name,
    description: node.description,
    location: node.location,
    groupId: node.groupId,
    panelUrl: withoutUserinfo(node.panelUrl),
    panelUsername: node.panelUsername,
    hasPanelApiToken: node.hasPanelApiToken,
    inboundId: node.inboundId,
    publicHost: node.publicHost,
    tlsVerify: node.tlsVerify,
    maxUsers: node.maxUsers,
    currentUsers: node.currentUsers,
    loadRatio: loadRatio(node),
    priority: node.priority,
    weight: node.weight,
    usageMultiplier: node.usageMultiplier,
    status: node.status,
    healthStatus: node.healthStatus,
    eligible: reason === null,
    ineligibleReason: reason,
    lastHealthCheck: node.lastHealthCheck?.toISOString() ?? null,
    responseTimeMs: node.responseTimeMs,
    lastError: node.lastError,
    drift: drift && {
      checkedAt: drift.checkedAt.toISOString(),
      missing: drift.missing,
      changed: drift.changed,
      extra: drift.extra,
      inbound: drift.inbound,
    },
    server: serverFiguresOf(node),
    createdAt: node.createdAt.toISOString(),
    updatedAt: node.updatedAt.toISOString(),
  };
}

/** The node's last server figures, field by field (a figure a row lacks is null), with when they were read. */
export function serverFiguresOf(node: Pick<NodeEntity, 'serverFigures' | 'figuresAt'>): NodeServerFigures | null {
  const stored = node.serverFigures;
  if (!stored || !node.figuresAt) return null;
  return {
    cpuPercent: stored.cpuPercent ?? null,
    memory: { used: stored.memory?.used ?? null, total: stored.memory?.total ?? null },
    disk: { used: stored.disk?.used ?? null, total: stored.disk?.total ?? null },
    xray: { state: stored.xray?.state ?? null, version: stored.xray?.version ?? null },
    uptimeSeconds: stored.uptimeSeconds ?? null,
    load: stored.load ?? null,
    net: {
      upBytesPerSecond: stored.net?.upBytesPerSecond ?? null,
      downBytesPerSecond: stored.net?.downBytesPerSecond ?? null,
    },
    tcpConnections: stored.tcpConnections ?? null,
    udpConnections: stored.udpConnections ?? null,
    onlineClients: stored.onlineClients ?? null,
    at: node.figuresAt.toISOString(),
  };
}

export function loadRatio(node: Pick<NodeEntity, 'currentUsers' | 'maxUsers'>): number {
  return node.maxUsers > 0 ? node.currentUsers / node.maxUsers : 1;
}

/** Credentials in a URL (only possible in rows written before they were refused) are never shown. */
export function withoutUserinfo(url: string): string {
  return url.replace(/^([a-z]+:\/\/)[^/?#]*@/i, '$1');
}
