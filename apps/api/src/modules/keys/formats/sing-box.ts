import type { ProxyEndpoint } from '@fleet/xui-client';
import { PROBE_URL, SING_BOX_NETWORKS, SubscriptionServer, uniqueNames, withSecrets } from './subscription-server';

/** The sing-box release whose configuration schema this follows (`address` on tun inbounds, rule actions). */
export const SING_BOX_SCHEMA = '1.11';

type Outbound = Record<string, unknown>;

/**
 * A sing-box profile: an outbound per server, a `selector` (with a `urltest` first when there are several servers),
 * `direct`, a tun inbound for phones and a local mixed inbound, everything routed through the selector.
 */
export function singBoxProfile(servers: SubscriptionServer[]): string {
  const listed = uniqueNames(servers).filter((server) => SING_BOX_NETWORKS.has(server.endpoint.transport.network));
  return withSecrets('singbox', '', listed, render);
}

function render(servers: SubscriptionServer[]): string {
  const outbounds = servers.map((server) => singBoxOutbound({ ...server.endpoint, name: server.name }));
  const tags = outbounds.map((outbound) => String(outbound['tag']));
  const auto =
    tags.length > 1 ? [{ type: 'urltest', tag: 'auto', outbounds: tags, url: PROBE_URL, interval: '5m' }] : [];
  const selector = {
    type: 'selector',
    tag: 'proxy',
    outbounds: [...auto.map((group) => group.tag), ...tags, 'direct'],
    default: auto[0]?.tag ?? tags[0] ?? 'direct',
  };
  return JSON.stringify({
    log: { level: 'warn' },
    inbounds: [
      { type: 'tun', tag: 'tun-in', address: ['172.19.0.1/30'], auto_route: true, strict_route: true },
      { type: 'mixed', tag: 'mixed-in', listen: '127.0.0.1', listen_port: 2080 },
    ],
    outbounds: [selector, ...auto, ...outbounds, { type: 'direct', tag: 'direct' }],
    route: { auto_detect_interface: true, final: 'proxy', rules: [{ action: 'sniff' }] },
  });
}

function singBoxOutbound(endpoint: ProxyEndpoint): Outbound {
  const base = { tag: endpoint.name, server: endpoint.server, server_port: endpoint.port };
  switch (endpoint.protocol) {
    case 'shadowsocks':
      return { type: 'shadowsocks', ...base, method: endpoint.cipher, password: endpoint.password };
    case 'vless':
      return {
        type: 'vless',
        ...base,
        uuid: endpoint.uuid,
        ...(endpoint.flow ? { flow: endpoint.flow } : {}),
        packet_encoding: 'xudp',
        ...secured(endpoint),
      };
    case 'vmess':
      return {
        type: 'vmess',
        ...base,
        uuid: endpoint.uuid,
        security: endpoint.cipher ?? 'auto',
        alter_id: 0,
        ...secured(endpoint),
      };
    case 'trojan':
      return { type: 'trojan', ...base, password: endpoint.password, ...secured(endpoint) };
  }
}

function secured(endpoint: ProxyEndpoint): Outbound {
  const transport = transportOf(endpoint);
  return {
    ...(endpoint.security !== 'none' ? { tls: tlsOf(endpoint) } : {}),
    ...(transport ? { transport } : {}),
  };
}

function tlsOf(endpoint: ProxyEndpoint): Outbound {
  const { tls = {} } = endpoint;
  return {
    enabled: true,
    ...(tls.serverName ? { server_name: tls.serverName } : {}),
    ...(tls.alpn ? { alpn: tls.alpn } : {}),
    // Reality needs a uTLS fingerprint; chrome where the inbound names none.
    ...(tls.fingerprint || endpoint.reality
      ? { utls: { enabled: true, fingerprint: tls.fingerprint ?? 'chrome' } }
      : {}),
    ...(endpoint.reality
      ? { reality: { enabled: true, public_key: endpoint.reality.publicKey, short_id: endpoint.reality.shortId } }
      : {}),
  };
}

function transportOf({ transport }: ProxyEndpoint): Outbound | null {
  switch (transport.network) {
    case 'ws':
      return {
        type: 'ws',
        path: transport.path ?? '/',
        ...(transport.host ? { headers: { Host: transport.host } } : {}),
      };
    case 'httpupgrade':
      return { type: 'httpupgrade', path: transport.path ?? '/', ...(transport.host ? { host: transport.host } : {}) };
    case 'grpc':
      return { type: 'grpc', service_name: transport.serviceName ?? '' };
    default:
      return transport.headerType === 'http'
        ? { type: 'http', path: transport.path ?? '/', ...(transport.host ? { host: [transport.host] } : {}) }
        : null;
  }
}
