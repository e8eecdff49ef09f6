import type { ProxyEndpoint } from '@fleet/xui-client';
import { SubscriptionServer, withSecrets } from './subscription-server';

type Json = Record<string, unknown>;

/** Where the Xray configs listen locally: the SOCKS port apps such as Happ and Streisand expect. */
const SOCKS_PORT = 10808;

/**
 * Xray JSON: an array of complete client configurations, one per server (named by `remarks`): a SOCKS inbound on
 * 127.0.0.1:10808, the server's outbound with its stream settings, `direct` and `block`.
 */
export function xrayConfigs(servers: SubscriptionServer[]): string {
  return withSecrets('xray', '', servers, render);
}

function render(servers: SubscriptionServer[]): string {
  return JSON.stringify(
    servers.map((server) => ({
      remarks: server.name,
      log: { loglevel: 'warning' },
      inbounds: [
        {
          tag: 'socks',
          protocol: 'socks',
          listen: '127.0.0.1',
          port: SOCKS_PORT,
          settings: { auth: 'noauth', udp: true },
          sniffing: { enabled: true, destOverride: ['http', 'tls', 'quic'] },
        },
      ],
      outbounds: [
        xrayOutbound(server.endpoint),
        { tag: 'direct', protocol: 'freedom' },
        { tag: 'block', protocol: 'blackhole' },
      ],
      routing: { domainStrategy: 'AsIs', rules: [] },
    })),
  );
}

function xrayOutbound(endpoint: ProxyEndpoint): Json {
  const address = { address: endpoint.server, port: endpoint.port };
  const settings = (() => {
    switch (endpoint.protocol) {
      case 'vless':
        return {
          vnext: [{ ...address, users: [{ id: endpoint.uuid, encryption: 'none', flow: endpoint.flow ?? '' }] }],
        };
      case 'vmess':
        return {
          vnext: [{ ...address, users: [{ id: endpoint.uuid, alterId: 0, security: endpoint.cipher ?? 'auto' }] }],
        };
      case 'trojan':
        return { servers: [{ ...address, password: endpoint.password }] };
      case 'shadowsocks':
        return { servers: [{ ...address, method: endpoint.cipher, password: endpoint.password }] };
    }
  })();
  return { tag: 'proxy', protocol: endpoint.protocol, settings, streamSettings: streamOf(endpoint) };
}

function streamOf(endpoint: ProxyEndpoint): Json {
  const { transport, tls = {} } = endpoint;
  const stream: Json = { network: transport.network, security: endpoint.security };
  if (endpoint.security === 'tls') {
    stream['tlsSettings'] = {
      serverName: tls.serverName ?? endpoint.server,
      ...(tls.alpn ? { alpn: tls.alpn } : {}),
      ...(tls.fingerprint ? { fingerprint: tls.fingerprint } : {}),
    };
  } else if (endpoint.reality) {
    stream['realitySettings'] = {
      serverName: tls.serverName ?? '',
      fingerprint: tls.fingerprint ?? 'chrome',
      publicKey: endpoint.reality.publicKey,
      shortId: endpoint.reality.shortId,
      spiderX: endpoint.reality.spiderX ?? '',
    };
  }
  const host = transport.host ? { host: transport.host } : {};
  if (transport.network === 'ws') stream['wsSettings'] = { path: transport.path ?? '/', ...host };
  else if (transport.network === 'httpupgrade')
    stream['httpupgradeSettings'] = { path: transport.path ?? '/', ...host };
  else if (transport.network === 'xhttp') stream['xhttpSettings'] = { path: transport.path ?? '/', ...host };
  else if (transport.network === 'grpc') {
    stream['grpcSettings'] = { serviceName: transport.serviceName ?? '', multiMode: Boolean(transport.multiMode) };
  } else if (transport.network === 'tcp' && transport.headerType === 'http') {
    stream['tcpSettings'] = {
      header: {
        type: 'http',
        request: { path: [transport.path ?? '/'], headers: transport.host ? { Host: [transport.host] } : {} },
      },
    };
  }
  return stream;
}
