import type { Inbound } from '@fleet/xui-client';
import type { InboundSnapshot } from './node.entity';

/** Protocols we make clients and links for. */
export const SUPPORTED_PROTOCOLS = ['vless', 'vmess', 'trojan', 'shadowsocks'];

/** What links and clients need of an inbound: everything but its (possibly huge) client list. */
export function inboundSnapshot(
  inbound: Pick<Inbound, 'id' | 'protocol' | 'port' | 'remark' | 'settings' | 'streamSettings'>,
): InboundSnapshot {
  const settings = JSON.parse(inbound.settings) as Record<string, unknown>;
  delete settings['clients'];
  return {
    id: inbound.id,
    protocol: inbound.protocol,
    port: inbound.port,
    remark: inbound.remark,
    settings: JSON.stringify(settings),
    streamSettings: inbound.streamSettings,
  };
}

export interface InboundUnfit {
  /** The inbound's field at fault (`missing`: the panel has no such inbound). */
  field: 'missing' | 'enable' | 'protocol';
  reason: string;
}

/** Why the node's inbound cannot serve our users, or null when it can. */
export function inboundUnfit(inbound: Pick<Inbound, 'enable' | 'protocol'> | undefined): InboundUnfit | null {
  if (!inbound) return { field: 'missing', reason: 'not on the panel' };
  if (inbound.enable === false) return { field: 'enable', reason: 'disabled on the panel' };
  if (!SUPPORTED_PROTOCOLS.includes(inbound.protocol)) {
    return { field: 'protocol', reason: `${inbound.protocol} is not a protocol we serve` };
  }
  return null;
}

/** The snapshot's fields the panel's inbound no longer matches (links built from the old ones are wrong). */
export function snapshotChanges(cached: InboundSnapshot | null, now: InboundSnapshot): string[] {
  if (!cached) return [];
  return (['protocol', 'port', 'remark', 'settings', 'streamSettings'] as const).filter(
    (field) => cached[field] !== now[field],
  );
}
