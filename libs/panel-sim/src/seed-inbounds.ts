import { randomUUID } from 'node:crypto';

/** An inbound as the panel stores it: settings, streamSettings and sniffing are JSON text. */
export interface SimInbound {
  id: number;
  up: number;
  down: number;
  total: number;
  allTime: number;
  remark: string;
  enable: boolean;
  expiryTime: number;
  trafficReset: string;
  lastTrafficResetTime: number;
  listen: string;
  port: number;
  protocol: string;
  settings: string;
  streamSettings: string;
  tag: string;
  sniffing: string;
}

const SNIFFING = JSON.stringify({
  enabled: false,
  destOverride: ['http', 'tls', 'quic', 'fakedns'],
  metadataOnly: false,
  routeOnly: false,
});

/** The panel rejects deleting the last client of an inbound, so every seeded inbound starts with one. */
function placeholder(protocol: string, email: string): Record<string, unknown> {
  const base = {
    email,
    limitIp: 0,
    totalGB: 0,
    expiryTime: 0,
    enable: true,
    tgId: 0,
    subId: email,
    comment: '',
    reset: 0,
  };
  if (protocol === 'trojan') return { password: `pw-${email}`, ...base };
  if (protocol === 'shadowsocks') return { method: '', password: 'c2ltLXBsYWNlaG9sZGVy', ...base };
  return { id: randomUUID(), flow: '', security: 'auto', ...base };
}

function inbound(
  id: number,
  port: number,
  protocol: string,
  remark: string,
  settings: object,
  stream: object,
): SimInbound {
  return {
    id,
    up: 0,
    down: 0,
    total: 0,
    allTime: 0,
    remark,
    enable: true,
    expiryTime: 0,
    trafficReset: 'never',
    lastTrafficResetTime: 0,
    listen: '',
    port,
    protocol,
    settings: JSON.stringify(settings),
    streamSettings: JSON.stringify(stream),
    tag: `inbound-${port}`,
    sniffing: SNIFFING,
  };
}

/** One inbound of each protocol, with the stream settings of the spec's section 13. */
export function seedInbounds(panelTag: string): SimInbound[] {
  const seedEmail = (protocol: string) => `seed-${protocol}-${panelTag}`;
  return [
    inbound(
      1,
      443,
      'vless',
      'vless-reality',
      { clients: [placeholder('vless', seedEmail('vless'))], decryption: 'none', encryption: 'none', fallbacks: [] },
      {
        network: 'tcp',
        security: 'reality',
        externalProxy: [],
        realitySettings: {
          show: false,
          xver: 0,
          target: 'www.example.com:443',
          serverNames: ['www.example.com', 'example.com'],
          privateKey: 'yBz2zXLOhZ8QS0JS4z3cMPVH3QUkDpPpJ8jS0z0Xk0Y',
          shortIds: ['6ba85179e30d4fc2', 'a1b2c3d4'],
          settings: {
            publicKey: 'Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw',
            fingerprint: 'chrome',
            serverName: '',
            spiderX: '/',
          },
        },
        tcpSettings: { acceptProxyProtocol: false, header: { type: 'none' } },
      },
    ),
    inbound(
      2,
      8443,
      'vless',
      'vless-ws-tls',
      { clients: [placeholder('vless', seedEmail('vless-ws'))], decryption: 'none', encryption: 'none', fallbacks: [] },
      {
        network: 'ws',
        security: 'tls',
        externalProxy: [],
        tlsSettings: {
          serverName: 'cdn.example.com',
          alpn: ['h2', 'http/1.1'],
          certificates: [{ certificateFile: '/root/cert.crt', keyFile: '/root/private.key' }],
          settings: { fingerprint: 'chrome', allowInsecure: false },
        },
        wsSettings: { acceptProxyProtocol: false, path: '/ws', host: 'cdn.example.com', headers: {} },
      },
    ),
    inbound(
      3,
      10086,
      'vmess',
      'vmess-ws',
      { clients: [placeholder('vmess', seedEmail('vmess'))] },
      { network: 'ws', security: 'none', externalProxy: [], wsSettings: { path: '/vm', host: '', headers: {} } },
    ),
    inbound(
      4,
      2443,
      'trojan',
      'trojan-grpc-tls',
      { clients: [placeholder('trojan', seedEmail('trojan'))], fallbacks: [] },
      {
        network: 'grpc',
        security: 'tls',
        externalProxy: [],
        tlsSettings: {
          serverName: 'tr.example.com',
          alpn: ['h2'],
          certificates: [],
          settings: { fingerprint: 'firefox' },
        },
        grpcSettings: { serviceName: 'tr-grpc', authority: '', multiMode: true },
      },
    ),
    inbound(
      5,
      8388,
      'shadowsocks',
      'ss-2022',
      {
        method: '2022-blake3-aes-128-gcm',
        password: 'c2ltLXNlcnZlci1wYXNzd29yZA==',
        network: 'tcp,udp',
        clients: [placeholder('shadowsocks', seedEmail('ss'))],
        ivCheck: false,
      },
      { network: 'tcp', security: 'none', externalProxy: [], tcpSettings: { header: { type: 'none' } } },
    ),
  ];
}
