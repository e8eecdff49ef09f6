import { flowApplies, Json, network, networkParams, parsedInbound, security, securityParams } from './stream-settings';
import type { Inbound, PanelClient } from './types';

/** What a link needs from an inbound. */
export type LinkInbound = Pick<Inbound, 'protocol' | 'port' | 'remark' | 'settings' | 'streamSettings'>;

/**
 * The share link of `client` on `inbound`, reached at `host` (the node's public host), built as the panel's
 * subscription server does (spec §12) but deterministic: the first `sni` and `sid`, and the configured
 * `spiderX` instead of a random one, so a user's key is the same on every call.
 * Returns null for protocols that have no per-user link (http, mixed, wireguard, …).
 */
export function buildShareLink(
  inbound: LinkInbound,
  client: PanelClient,
  host: string,
  /** The link's name in the app; the panel's own (`remark-email`) when absent. */
  name?: string,
): string | null {
  const { settings, stream } = parsedInbound(inbound);
  const remark = name ?? `${inbound.remark}-${client.email}`;
  const address = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  switch (inbound.protocol) {
    case 'vless': {
      const params = linkQuery(inbound, client.flow ?? '', () => {
        const params = { ...networkParams(stream), ...securityParams(stream, true), type: network(stream) } as Json;
        if (settings['encryption'] !== undefined) params['encryption'] = settings['encryption'];
        if (flowApplies(stream, ['tls', 'reality']) && client.flow) params['flow'] = client.flow;
        return params;
      });
      return `vless://${client.id}@${address}:${inbound.port}?${params}#${fragment(remark)}`;
    }
    case 'trojan': {
      const params = linkQuery(inbound, client.flow ?? '', () => {
        const params = { ...networkParams(stream), ...securityParams(stream, true), type: network(stream) } as Json;
        if (flowApplies(stream, ['reality']) && client.flow) params['flow'] = client.flow;
        return params;
      });
      return `trojan://${client.password}@${address}:${inbound.port}?${params}#${fragment(remark)}`;
    }
    case 'shadowsocks': {
      const method = String(settings['method'] ?? '');
      const secret = method.startsWith('2')
        ? `${method}:${settings['password']}:${client.password}`
        : `${method}:${client.password}`;
      const params = linkQuery(inbound, '', () => ({
        ...networkParams(stream),
        ...securityParams(stream, false),
        type: network(stream),
      }));
      return `ss://${Buffer.from(secret).toString('base64')}@${address}:${inbound.port}?${params}#${fragment(remark)}`;
    }
    case 'vmess':
      return `vmess://${Buffer.from(JSON.stringify(sortKeys(vmessObject(stream, client, address, inbound.port, remark)), null, 2)).toString('base64')}`;
    default:
      return null;
  }
}

/** A link's query string, the same for every client of an inbound with the same flow: built once per inbound object. */
const linkQueries = new WeakMap<object, Map<string, string>>();

function linkQuery(inbound: LinkInbound, flow: string, params: () => Json): string {
  let byFlow = linkQueries.get(inbound);
  if (!byFlow) linkQueries.set(inbound, (byFlow = new Map()));
  let text = byFlow.get(flow);
  if (text === undefined) byFlow.set(flow, (text = query(params())));
  return text;
}

function vmessObject(stream: Json, client: PanelClient, address: string, port: number, remark: string): Json {
  const net = network(stream);
  const params = networkParams(stream);
  const object: Json = {
    v: '2',
    ps: remark,
    add: address,
    port,
    id: client.id,
    scy: client.security ?? 'auto',
    net,
    type: 'none',
    tls: security(stream) === 'tls' ? 'tls' : 'none',
  };
  if (params['host']) object['host'] = params['host'];
  if (params['path']) object['path'] = params['path'];
  if (net === 'tcp' && params['headerType'] === 'http') object['type'] = 'http';
  if (net === 'grpc') {
    object['path'] = params['serviceName'] ?? '';
    if (params['authority']) object['authority'] = params['authority'];
    if (params['mode'] === 'multi') object['type'] = 'multi';
  }
  if (net === 'kcp') {
    object['type'] = params['headerType'] ?? 'none';
    if (params['seed']) object['path'] = params['seed'];
  }
  if (net === 'xhttp' && params['mode']) object['mode'] = params['mode'];
  if (object['tls'] === 'tls') {
    const tls = securityParams(stream, false);
    for (const key of ['sni', 'alpn', 'fp']) if (tls[key]) object[key] = tls[key];
  }
  return object;
}

/** Go's url.Values.Encode: keys sorted, QueryEscape (space as '+', only -_.~ left unescaped). */
function query(params: Json): string {
  return Object.keys(params)
    .sort()
    .map((key) => `${goEscape(key)}=${goEscape(String(params[key]))}`)
    .join('&');
}

function goEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

function fragment(text: string): string {
  return encodeURIComponent(text);
}

function sortKeys(value: Json): Json {
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, value[key]]),
  );
}
