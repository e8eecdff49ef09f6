import { Scalar, stringify } from 'yaml';
import type { ProxyEndpoint } from '@fleet/xui-client';
import { CLASH_NETWORKS, PROBE_URL, SubscriptionServer, uniqueNames } from './subscription-server';

type Proxy = Record<string, unknown>;

/** Profiles rendered without their secrets, by what they say (the servers, their names, the title): many users share one. */
const templates = new Map<string, string>();
const TEMPLATES_KEPT = 1000;
/** A secret goes into a template's place as it is when it needs no escaping in a double-quoted YAML string. */
const PLAIN_SECRET = /^[\w+/=:.-]*$/;
const placeholder = (i: number) => `fleet-secret-${i}-placeholder`;

/**
 * A Clash Meta (Mihomo) profile: a proxy per server, a `select` group (with an automatic `url-test` group first when
 * there are several servers, so the app can switch by itself) and a rule sending everything through it. Written by
 * the YAML library once per set of servers, with each user's secret put in its double-quoted place afterwards.
 */
export function clashProfile(servers: SubscriptionServer[], title: string): string {
  const listed = uniqueNames(servers).filter((server) => CLASH_NETWORKS.has(server.endpoint.transport.network));
  const secrets = listed.map(({ endpoint }) => endpoint.uuid ?? endpoint.password ?? '');
  if (!secrets.every((secret) => PLAIN_SECRET.test(secret))) return render(listed, title, secrets);
  const key = JSON.stringify([
    title,
    ...listed.map(({ name, endpoint }) => ({ ...endpoint, name, uuid: 0, password: 0 })),
  ]);
  let template = templates.get(key);
  if (template === undefined) {
    template = render(
      listed,
      title,
      secrets.map((_, i) => placeholder(i)),
    );
    if (templates.size >= TEMPLATES_KEPT) templates.delete(templates.keys().next().value!);
    templates.set(key, template);
  }
  return template.replace(/"fleet-secret-(\d+)-placeholder"/g, (_, i: string) => `"${secrets[Number(i)]}"`);
}

function render(servers: SubscriptionServer[], title: string, secrets: string[]): string {
  const proxies = servers.map((server, i) => clashProxy({ ...server.endpoint, name: server.name }, secrets[i]));
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

/** A double-quoted YAML string (the secrets, so a template's placeholder and the value take the same form). */
function quoted(value: string): Scalar {
  const scalar = new Scalar(value);
  scalar.type = Scalar.QUOTE_DOUBLE;
  return scalar;
}

function clashProxy(endpoint: ProxyEndpoint, secret: string): Proxy {
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
