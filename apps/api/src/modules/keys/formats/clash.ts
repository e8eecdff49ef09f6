import { Scalar, stringify } from 'yaml';
import type { ProxyEndpoint } from '@fleet/xui-client';
import { CLASH_NETWORKS, PROBE_URL, SubscriptionServer, uniqueNames, withSecrets } from './subscription-server';

type Proxy = Record<string, unknown>;

/**
 * A Clash Meta (Mihomo) profile: a proxy per server, a `select` group (with an automatic `url-test` group first when
 * there are several servers, so the app can switch by itself) and a rule sending everything through it, written by
 * the YAML library (once per set of servers: see `withSecrets`).
 */
export function clashProfile(servers: SubscriptionServer[], title: string): string {
  const listed = uniqueNames(servers).filter((server) => CLASH_NETWORKS.has(server.endpoint.transport.network));
  return withSecrets('clash', title, listed, (named) => render(named, title));
}

function render(servers: SubscriptionServer[], title: string): string {
  const proxies = servers.map((server) => clashProxy({ ...server.endpoint, name: server.name }));
  const names = servers.map((server) => server.name);
  const auto =
    names.length > 1 ? [{ name: 'Auto', type: 'url-test', proxies: names, url: PROBE_URL, interval: 300 }] : [];
  const select = { name: title, type: 'select', proxies: [...auto.map((group) => group.name), ...names] };
  return stringify({
    'mixed-port': 7890,
    mode: 'rule',
    'log-level': 'warning',
    proxies,
    'proxy-groups': names.length ? [select, ...auto] : [],
    rules: names.length ? [`MATCH,${title}`] : ['MATCH,DIRECT'],
  });
}

/** A double-quoted YAML string (the secrets: `withSecrets` finds their placeholders in that form). */
function quoted(value: string): Scalar {
  const scalar = new Scalar(value);
  scalar.type = Scalar.QUOTE_DOUBLE;
  return scalar;
}

function clashProxy(endpoint: ProxyEndpoint): Proxy {
  const secret = endpoint.uuid ?? endpoint.password ?? '';
  const proxy: Proxy = { name: endpoint.name, server: endpoint.server, port: endpoint.port, udp: true };
  switch (endpoint.protocol) {
    case 'vless':
      Object.assign(proxy, { type: 'vless', uuid: quoted(secret) }, endpoint.flow ? { flow: endpoint.flow } : {});
      break;
    case 'vmess':
      Object.assign(proxy, { type: 'vmess', uuid: quoted(secret), alterId: 0, cipher: endpoint.cipher ?? 'auto' });
      break;
    case 'trojan':
      Object.assign(proxy, { type: 'trojan', password: quoted(secret) });
      break;
    case 'shadowsocks':
      return { ...proxy, type: 'ss', cipher: endpoint.cipher, password: quoted(secret) };
  }
  Object.assign(proxy, transportOf(endpoint), securityOf(endpoint));
  return proxy;
}

function transportOf({ transport }: ProxyEndpoint): Proxy {
  const headers = transport.host ? { headers: { Host: transport.host } } : {};
  switch (transport.network) {
    case 'ws':
      return { network: 'ws', 'ws-opts': { path: transport.path ?? '/', ...headers } };
    case 'httpupgrade':
      return { network: 'ws', 'ws-opts': { path: transport.path ?? '/', ...headers, 'v2ray-http-upgrade': true } };
    case 'grpc':
      return { network: 'grpc', 'grpc-opts': { 'grpc-service-name': transport.serviceName ?? '' } };
    default:
      return transport.headerType === 'http'
        ? {
            network: 'http',
            'http-opts': {
              path: [transport.path ?? '/'],
              ...(transport.host ? { headers: { Host: [transport.host] } } : {}),
            },
          }
        : { network: 'tcp' };
  }
}

function securityOf(endpoint: ProxyEndpoint): Proxy {
  if (endpoint.security === 'none') return {};
  const { tls = {} } = endpoint;
  const name = endpoint.protocol === 'trojan' ? 'sni' : 'servername';
  return {
    tls: true,
    ...(tls.serverName ? { [name]: tls.serverName } : {}),
    ...(tls.alpn ? { alpn: tls.alpn } : {}),
    ...(tls.fingerprint ? { 'client-fingerprint': tls.fingerprint } : {}),
    ...(endpoint.reality
      ? { 'reality-opts': { 'public-key': endpoint.reality.publicKey, 'short-id': endpoint.reality.shortId } }
      : {}),
  };
}
