import { createHash } from 'node:crypto';
import { PanelClient, ProxyEndpoint, buildShareLink, parsedInbound, proxyEndpoint } from '@fleet/xui-client';
import { Access, NEW_CLIENT, NodeQuota, panelAccess } from '../users/access-status';
import type { InboundSnapshot } from '../nodes/node.entity';

export interface UserIdentity {
  id: number;
  uuid: string;
  telegramId: number | null;
  username: string | null;
  /** What the panel client must enforce, and the version of it. */
  access: Access;
  accessVersion: number;
}

/**
 * The panel client's email for a user on a node: unique per panel (one user has one client per node),
 * readable in the panel's UI, and mapped back to the user by `userIdOfEmail`.
 */
export function clientEmail(userId: number, nodeId: number): string {
  return `u${userId}-n${nodeId}`;
}

const OUR_EMAIL = /^u(\d+)-n(\d+)$/;

export function userIdOfEmail(email: string): number | null {
  const match = OUR_EMAIL.exec(email);
  return match ? Number(match[1]) : null;
}

/** The node a client with our naming was made for; null for any other email. */
export function nodeIdOfEmail(email: string): number | null {
  const match = OUR_EMAIL.exec(email);
  return match ? Number(match[2]) : null;
}

/** Shadowsocks-2022 keys must be base64 of exactly 16 or 32 bytes; derived from the user's UUID. */
function shadowsocksPassword(uuid: string, method: string): string {
  const bytes = method.includes('aes-128') ? 16 : 32;
  return createHash('sha256').update(`ss:${uuid}`).digest().subarray(0, bytes).toString('base64');
}

function inboundSettings(inbound: InboundSnapshot): Record<string, unknown> {
  return parsedInbound(inbound).settings;
}

function streamOf(inbound: InboundSnapshot): { network?: string; security?: string } {
  return parsedInbound(inbound).stream;
}

/** The client object a panel stores for this user: the same UUID (or derived key) on every node. */
export function panelClientFor(
  user: UserIdentity,
  nodeId: number,
  inbound: InboundSnapshot,
  quota: NodeQuota = NEW_CLIENT,
): PanelClient {
  return {
    email: clientEmail(user.id, nodeId),
    ...panelAccess(user.access, new Date(), quota),
    tgId: user.telegramId ?? 0,
    subId: createHash('sha256').update(`sub:${user.uuid}`).digest('hex').slice(0, 16),
    comment: user.username ?? '',
    reset: 0,
    ...credentialsOf(user, inbound),
  };
}

/** What identifies the user to the inbound's protocol: the UUID, or a password or key derived from it. */
function credentialsOf(user: Pick<UserIdentity, 'uuid'>, inbound: InboundSnapshot): Partial<PanelClient> {
  switch (inbound.protocol) {
    case 'trojan':
      return { password: user.uuid };
    case 'shadowsocks': {
      const method = String(inboundSettings(inbound)['method'] ?? '');
      return { method: method.startsWith('2022-') ? '' : method, password: shadowsocksPassword(user.uuid, method) };
    }
    case 'vmess':
      return { id: user.uuid, security: 'auto' };
    default: {
      const stream = streamOf(inbound);
      const vision = (stream.network ?? 'tcp') === 'tcp' && ['tls', 'reality'].includes(stream.security ?? '');
      return { id: user.uuid, flow: vision ? 'xtls-rprx-vision' : '' };
    }
  }
}

/** Whether a client found on a panel is this user's (same UUID or derived key). */
export function isUsersClient(found: PanelClient, expected: PanelClient): boolean {
  return expected.id !== undefined ? found.id === expected.id : found.password === expected.password;
}

type LinkedNode = { id: number; inboundSnapshot: InboundSnapshot | null; publicHost: string | null; panelUrl: string };

/** The user's key on a node: the share link from the node's cached inbound and public host. */
export function shareLinkFor(user: UserIdentity, node: LinkedNode, name?: string): string | null {
  if (!node.inboundSnapshot) return null;
  return buildShareLink(node.inboundSnapshot, panelClientFor(user, node.id, node.inboundSnapshot), hostOf(node), name);
}

/**
 * The user's server on a node as every subscription format needs it: the share link, and what it says (worked out
 * when a format asks for it).
 */
export function serverFor(
  user: UserIdentity,
  node: LinkedNode,
  name: string,
): { name: string; link: string; readonly endpoint: ProxyEndpoint } | null {
  const inbound = node.inboundSnapshot;
  if (!inbound) return null;
  // Only what a link carries: the panel's other client fields (limits, expiry, subId) are not needed here.
  const client: PanelClient = { email: clientEmail(user.id, node.id), ...credentialsOf(user, inbound) };
  const host = hostOf(node);
  const link = buildShareLink(inbound, client, host, name);
  if (!link) return null;
  let endpoint: ProxyEndpoint | null = null;
  return {
    name,
    link,
    get endpoint(): ProxyEndpoint {
      endpoint ??= proxyEndpoint(inbound, client, host, name);
      if (!endpoint) throw new Error(`no endpoint for a ${inbound.protocol} link`); // the same protocols have both
      return endpoint;
    },
  };
}

function hostOf(node: LinkedNode): string {
  return node.publicHost ?? new URL(node.panelUrl).hostname;
}
