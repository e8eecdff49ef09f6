import { buildShareLink, LinkInbound } from './share-links';

const UUID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const client = { id: UUID, password: 'pw-alice', email: 'alice', flow: 'xtls-rprx-vision', security: 'auto' };

const inbound = (
  protocol: string,
  stream: object,
  settings: object = { encryption: 'none', clients: [] },
): LinkInbound => ({
  protocol,
  port: 443,
  remark: 'in',
  settings: JSON.stringify(settings),
  streamSettings: JSON.stringify(stream),
});

const reality = {
  security: 'reality',
  realitySettings: {
    serverNames: ['www.example.com', 'other.example.com'],
    shortIds: ['6ba85179e30d4fc2', 'ffff'],
    settings: { publicKey: 'PUBKEY', fingerprint: 'chrome', spiderX: '/' },
  },
};
const tls = {
  security: 'tls',
  tlsSettings: { serverName: 'cdn.example.com', alpn: ['h2', 'http/1.1'], settings: { fingerprint: 'chrome' } },
};

describe('buildShareLink', () => {
  const vlessCases: Array<[string, object, string]> = [
    [
      'tcp + reality (first sni and sid, configured spx, flow)',
      { network: 'tcp', tcpSettings: { header: { type: 'none' } }, ...reality },
      'vless://UUID@vpn.example.com:443?encryption=none&flow=xtls-rprx-vision&fp=chrome&pbk=PUBKEY&security=reality&sid=6ba85179e30d4fc2&sni=www.example.com&spx=%2F&type=tcp#in-alice',
    ],
    [
      'ws + tls (spec example)',
      { network: 'ws', wsSettings: { path: '/ws', host: 'cdn.example.com' }, ...tls },
      'vless://UUID@vpn.example.com:443?alpn=h2%2Chttp%2F1.1&encryption=none&fp=chrome&host=cdn.example.com&path=%2Fws&security=tls&sni=cdn.example.com&type=ws#in-alice',
    ],
    [
      'tcp + tls keeps flow',
      { network: 'tcp', tcpSettings: { header: { type: 'none' } }, ...tls },
      'vless://UUID@vpn.example.com:443?alpn=h2%2Chttp%2F1.1&encryption=none&flow=xtls-rprx-vision&fp=chrome&security=tls&sni=cdn.example.com&type=tcp#in-alice',
    ],
    [
      'tcp, no security, no flow',
      { network: 'tcp', security: 'none' },
      'vless://UUID@vpn.example.com:443?encryption=none&security=none&type=tcp#in-alice',
    ],
    [
      'tcp with http header',
      {
        network: 'tcp',
        security: 'none',
        tcpSettings: { header: { type: 'http', request: { path: ['/a'], headers: { Host: ['h.example.com'] } } } },
      },
      'vless://UUID@vpn.example.com:443?encryption=none&headerType=http&host=h.example.com&path=%2Fa&security=none&type=tcp#in-alice',
    ],
    [
      'grpc multi + reality (no flow off tcp)',
      {
        network: 'grpc',
        grpcSettings: { serviceName: 'svc', authority: 'a.example.com', multiMode: true },
        ...reality,
      },
      'vless://UUID@vpn.example.com:443?authority=a.example.com&encryption=none&fp=chrome&mode=multi&pbk=PUBKEY&security=reality&serviceName=svc&sid=6ba85179e30d4fc2&sni=www.example.com&spx=%2F&type=grpc#in-alice',
    ],
    [
      'httpupgrade + tls',
      { network: 'httpupgrade', httpupgradeSettings: { path: '/up', host: 'up.example.com' }, ...tls },
      'vless://UUID@vpn.example.com:443?alpn=h2%2Chttp%2F1.1&encryption=none&fp=chrome&host=up.example.com&path=%2Fup&security=tls&sni=cdn.example.com&type=httpupgrade#in-alice',
    ],
    [
      'xhttp + reality with mode',
      { network: 'xhttp', xhttpSettings: { path: '/x', host: '', mode: 'auto' }, ...reality },
      'vless://UUID@vpn.example.com:443?encryption=none&fp=chrome&mode=auto&path=%2Fx&pbk=PUBKEY&security=reality&sid=6ba85179e30d4fc2&sni=www.example.com&spx=%2F&type=xhttp#in-alice',
    ],
    [
      'kcp with header and seed',
      { network: 'kcp', security: 'none', kcpSettings: { header: { type: 'wechat-video' }, seed: 's33d' } },
      'vless://UUID@vpn.example.com:443?encryption=none&headerType=wechat-video&security=none&seed=s33d&type=kcp#in-alice',
    ],
  ];

  it.each(vlessCases)('vless %s', (_, stream, expected) => {
    expect(buildShareLink(inbound('vless', stream), client, 'vpn.example.com')).toBe(expected.replace('UUID', UUID));
  });

  it('trojan: flow only with reality over tcp, not tls', () => {
    expect(buildShareLink(inbound('trojan', { network: 'tcp', ...tls }, { clients: [] }), client, 'h')).toBe(
      'trojan://pw-alice@h:443?alpn=h2%2Chttp%2F1.1&fp=chrome&security=tls&sni=cdn.example.com&type=tcp#in-alice',
    );
    expect(buildShareLink(inbound('trojan', { network: 'tcp', ...reality }, { clients: [] }), client, 'h')).toContain(
      'flow=xtls-rprx-vision',
    );
  });

  it('shadowsocks: classic and 2022 user info, standard base64 with padding, no reality params', () => {
    const classic = buildShareLink(
      inbound('shadowsocks', { network: 'tcp', security: 'none' }, { method: 'aes-256-gcm', clients: [] }),
      client,
      'h',
    )!;
    expect(classic).toBe(
      `ss://${Buffer.from('aes-256-gcm:pw-alice').toString('base64')}@h:443?security=none&type=tcp#in-alice`,
    );
    const modern = buildShareLink(
      inbound(
        'shadowsocks',
        { network: 'tcp', ...reality },
        { method: '2022-blake3-aes-128-gcm', password: 'SERVERKEY', clients: [] },
      ),
      client,
      'h',
    )!;
    expect(modern.split('@')[0]).toBe(
      `ss://${Buffer.from('2022-blake3-aes-128-gcm:SERVERKEY:pw-alice').toString('base64')}`,
    );
    expect(modern).toContain('security=none');
  });

  it('vmess: base64 of pretty JSON with sorted keys', () => {
    const link = buildShareLink(
      inbound('vmess', { network: 'ws', wsSettings: { path: '/vm', host: 'v.example.com' }, ...tls }),
      client,
      'h',
    )!;
    const text = Buffer.from(link.slice('vmess://'.length), 'base64').toString();
    const object = JSON.parse(text);
    expect(Object.keys(object)).toEqual([...Object.keys(object)].sort());
    expect(object).toEqual({
      add: 'h',
      alpn: 'h2,http/1.1',
      fp: 'chrome',
      host: 'v.example.com',
      id: UUID,
      net: 'ws',
      path: '/vm',
      port: 443,
      ps: 'in-alice',
      scy: 'auto',
      sni: 'cdn.example.com',
      tls: 'tls',
      type: 'none',
      v: '2',
    });
    expect(text).toContain('\n  "add"');
  });

  it('vmess grpc puts the service name in path and marks multi mode', () => {
    const link = buildShareLink(
      inbound('vmess', { network: 'grpc', security: 'none', grpcSettings: { serviceName: 'g', multiMode: true } }),
      client,
      'h',
    )!;
    expect(JSON.parse(Buffer.from(link.slice(8), 'base64').toString())).toMatchObject({
      path: 'g',
      type: 'multi',
      tls: 'none',
    });
  });

  it('is deterministic and brackets IPv6 hosts', () => {
    const reality443 = inbound('vless', { network: 'tcp', ...reality });
    expect(buildShareLink(reality443, client, '2001:db8::1')).toBe(buildShareLink(reality443, client, '2001:db8::1'));
    expect(buildShareLink(reality443, client, '2001:db8::1')).toContain('@[2001:db8::1]:443?');
  });

  it('has no link for protocols without per-user keys', () => {
    expect(buildShareLink(inbound('wireguard', {}), client, 'h')).toBeNull();
  });
});
