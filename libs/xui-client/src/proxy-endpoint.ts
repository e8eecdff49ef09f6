import type { LinkInbound } from './share-links';
import { flowApplies, network, networkParams, parsedInbound, security, securityParams } from './stream-settings';
import type { PanelClient } from './types';

/**
 * Everything a client app needs to reach one server as one user, read from the inbound the same way the share link
 * is (`buildShareLink`): the common ground of the Clash, sing-box and Xray configurations.
 */
export interface ProxyEndpoint {
  /** The name the app shows. */
  name: string;
  protocol: 'vless' | 'vmess' | 'trojan' | 'shadowsocks';
  /** Host name or IP address (IPv6 without brackets). */
  server: string;
  port: number;
  /** vless and vmess: the user's UUID. */
  uuid?: string;
  /** trojan: the user's password; shadowsocks: the key (for 2022 ciphers, `<server key>:<user key>`). */
  password?: string;
  /** vless: `xtls-rprx-vision` or none. */
  flow?: string;
  /** shadowsocks: the method; vmess: the cipher (`auto`). */
  cipher?: string;
  transport: {
    network: string;
    path?: string;
    host?: string;
    serviceName?: string;
    /** grpc: several streams in one connection. */
    multiMode?: boolean;
    /** tcp: an HTTP header disguise. */
    headerType?: string;
  };
  security: 'none' | 'tls' | 'reality';
  tls?: { serverName?: string; alpn?: string[]; fingerprint?: string };
  reality?: { publicKey: string; shortId: string; spiderX?: string };
}

type EndpointBase = Omit<ProxyEndpoint, 'name' | 'uuid' | 'password'>;

/** What every client of an inbound reached at one host shares, built once per inbound object (read-only). */
const bases = new WeakMap<object, Map<string, EndpointBase>>();

/** The endpoint of `client` on `inbound`, reached at `host`; null for protocols without per-user clients. */
export function proxyEndpoint(
  inbound: LinkInbound,
  client: PanelClient,
  host: string,
  name: string,
): ProxyEndpoint | null {
  const protocol = inbound.protocol;
  if (protocol !== 'vless' && protocol !== 'vmess' && protocol !== 'trojan' && protocol !== 'shadowsocks') return null;
  const key = `${host}\n${client.flow ?? ''}\n${client.security ?? ''}`;
  let byKey = bases.get(inbound);
  if (!byKey) bases.set(inbound, (byKey = new Map()));
  let base = byKey.get(key);
  if (!base) byKey.set(key, (base = endpointBase(inbound, protocol, client, host)));
  switch (protocol) {
    case 'vless':
    case 'vmess':
      return { ...base, name, uuid: client.id };
    case 'trojan':
      return { ...base, name, password: client.password };
    case 'shadowsocks': {
      const serverKey = parsedInbound(inbound).settings['password'];
      return {
        ...base,
        name,
        password: base.cipher?.startsWith('2') ? `${serverKey}:${client.password}` : client.password,
      };
    }
  }
}

function endpointBase(
  inbound: LinkInbound,
  protocol: ProxyEndpoint['protocol'],
  client: PanelClient,
  host: string,
): EndpointBase {
  const { settings, stream } = parsedInbound(inbound);
  const params = networkParams(stream);
  const secure = securityParams(stream, protocol === 'vless' || protocol === 'trojan');
  const endpoint: EndpointBase = {
    protocol,
    server: host.replace(/^\[(.*)\]$/, '$1'),
    port: inbound.port,
    transport: {
      network: network(stream),
      ...(params['path'] ? { path: String(params['path']) } : {}),
      ...(params['host'] ? { host: String(params['host']) } : {}),
      ...(params['serviceName'] ? { serviceName: String(params['serviceName']) } : {}),
      ...(params['mode'] === 'multi' ? { multiMode: true } : {}),
      ...(params['headerType'] ? { headerType: String(params['headerType']) } : {}),
    },
    security: secure['security'] === 'reality' ? 'reality' : secure['security'] === 'tls' ? 'tls' : 'none',
  };
  if (endpoint.security !== 'none') {
    endpoint.tls = {
      ...(secure['sni'] ? { serverName: String(secure['sni']) } : {}),
      ...(secure['alpn'] ? { alpn: String(secure['alpn']).split(',') } : {}),
      ...(secure['fp'] ? { fingerprint: String(secure['fp']) } : {}),
    };
  }
  if (endpoint.security === 'reality') {
    endpoint.reality = {
      publicKey: String(secure['pbk'] ?? ''),
      shortId: String(secure['sid'] ?? ''),
      ...(secure['spx'] ? { spiderX: String(secure['spx']) } : {}),
    };
  }
  switch (protocol) {
    case 'vless':
      if (flowApplies(stream, ['tls', 'reality']) && client.flow) endpoint.flow = client.flow;
      break;
    case 'vmess':
      endpoint.cipher = client.security ?? 'auto';
      // vmess links carry no reality; a vmess inbound's tls is plain tls.
      if (security(stream) !== 'tls') endpoint.security = 'none';
      break;
    case 'shadowsocks':
      endpoint.cipher = String(settings['method'] ?? '');
      endpoint.security = 'none';
      delete endpoint.tls;
      break;
  }
  return endpoint;
}
