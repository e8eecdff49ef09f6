import { ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { flagOf } from '@fleet/contract';
import { freePort } from './support/process';
import { startFleet } from './support/fleet';
import { startTestApp, TestApp } from './support/test-app';

type Fleet = Awaited<ReturnType<typeof startFleet>>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What a server is, whichever format says it: the fields every format must agree on with the share link. */
interface Server {
  name: string;
  protocol: string;
  server: string;
  port: number;
  /** UUID (vless, vmess) or password (trojan, shadowsocks). */
  secret: string;
  network: string;
  path?: string;
  host?: string;
  serviceName?: string;
  security: string;
  sni?: string;
  fingerprint?: string;
  publicKey?: string;
  shortId?: string;
  flow?: string;
  cipher?: string;
}

const defined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined && field !== '')) as T;

/** A share link as a Server (the reference every other format is checked against). */
function fromLink(link: string): Server {
  if (link.startsWith('vmess://')) {
    const v = JSON.parse(Buffer.from(link.slice(8), 'base64').toString());
    return defined({
      name: v.ps,
      protocol: 'vmess',
      server: v.add,
      port: Number(v.port),
      secret: v.id,
      network: v.net,
      path: v.path,
      host: v.host,
      security: v.tls === 'tls' ? 'tls' : 'none',
      sni: v.sni,
      fingerprint: v.fp,
      cipher: v.scy,
    });
  }
  const url = new URL(link);
  const q = (key: string) => url.searchParams.get(key) ?? undefined;
  const protocol = url.protocol === 'ss:' ? 'shadowsocks' : url.protocol.slice(0, -1);
  let secret = decodeURIComponent(url.username);
  let cipher: string | undefined;
  if (protocol === 'shadowsocks') {
    const decoded = Buffer.from(secret, 'base64').toString();
    cipher = decoded.slice(0, decoded.indexOf(':'));
    secret = decoded.slice(cipher.length + 1);
  }
  return defined({
    name: decodeURIComponent(url.hash.slice(1)),
    protocol,
    server: url.hostname,
    port: Number(url.port),
    secret,
    network: q('type') ?? 'tcp',
    path: q('path'),
    host: q('host'),
    serviceName: q('serviceName'),
    security: q('security') ?? 'none',
    sni: q('sni'),
    fingerprint: q('fp'),
    publicKey: q('pbk'),
    shortId: q('sid'),
    flow: q('flow'),
    cipher,
  });
}

function fromClash(p: Json): Server {
  const ws = p['ws-opts'] ?? {};
  const network = p.network === 'ws' && ws['v2ray-http-upgrade'] ? 'httpupgrade' : (p.network ?? 'tcp');
  return defined({
    name: p.name,
    protocol: p.type === 'ss' ? 'shadowsocks' : p.type,
    server: p.server,
    port: p.port,
    secret: p.uuid ?? p.password,
    network,
    path: ws.path,
    host: ws.headers?.Host,
    serviceName: p['grpc-opts']?.['grpc-service-name'],
    security: p['reality-opts'] ? 'reality' : p.tls ? 'tls' : 'none',
    sni: p.servername ?? p.sni,
    fingerprint: p['client-fingerprint'],
    publicKey: p['reality-opts']?.['public-key'],
    shortId: p['reality-opts']?.['short-id'],
    flow: p.flow,
    cipher: p.cipher,
  });
}

function fromSingBox(o: Json): Server {
  const t = o.transport ?? {};
  return defined({
    name: o.tag,
    protocol: o.type,
    server: o.server,
    port: o.server_port,
    secret: o.uuid ?? o.password,
    network: t.type ?? 'tcp',
    path: t.path,
    host: t.headers?.Host ?? t.host,
    serviceName: t.service_name,
    security: o.tls?.reality ? 'reality' : o.tls ? 'tls' : 'none',
    sni: o.tls?.server_name,
    fingerprint: o.tls?.utls?.fingerprint,
    publicKey: o.tls?.reality?.public_key,
    shortId: o.tls?.reality?.short_id,
    flow: o.flow,
    cipher: o.type === 'vmess' ? o.security : o.method,
  });
}

function fromXray(config: Json): Server {
  const out = config.outbounds[0];
  const s = out.streamSettings;
  const peer = out.settings.vnext?.[0] ?? out.settings.servers[0];
  const user = peer.users?.[0] ?? {};
  const transport = s.wsSettings ?? s.httpupgradeSettings ?? {};
  const tls = s.realitySettings ?? s.tlsSettings ?? {};
  return defined({
    name: config.remarks,
    protocol: out.protocol,
    server: peer.address,
    port: peer.port,
    secret: user.id ?? peer.password,
    network: s.network,
    path: transport.path,
    host: transport.host,
    serviceName: s.grpcSettings?.serviceName,
    security: s.security,
    sni: tls.serverName,
    fingerprint: tls.fingerprint,
    publicKey: s.realitySettings?.publicKey,
    shortId: s.realitySettings?.shortId,
    flow: user.flow,
    cipher: out.protocol === 'vmess' ? user.security : peer.method,
  });
}

/** Fields a format may add beyond the link (a default the link leaves unsaid). */
const withoutDefaults = (server: Server, link: Server): Server => {
  const copy: Json = { ...server };
  for (const key of ['fingerprint', 'sni'] as const) if (link[key] === undefined) delete copy[key];
  return copy as Server;
};

/**
 * Every subscription format for one user holding a server on each inbound kind the simulator serves (vless-reality,
 * vless-ws-tls, vmess-ws, trojan-grpc-tls, ss-2022), each in its own group: the YAML and JSON read back agree field
 * by field with the share links; the format is the named one, else the User-Agent's, else base64.
 */
describe('subscription formats', () => {
  let t: TestApp;
  let fleet: Fleet;
  let path: string;
  let links: Server[];
  const KINDS = ['vless-reality', 'vless-ws-tls', 'vmess-ws', 'trojan-grpc-tls', 'ss-2022'];
  const COUNTRIES = ['DE', 'NL', 'FI', 'SE', 'PL'];

  beforeAll(async () => {
    t = await startTestApp({ env: { SUB_PROFILE_TITLE: 'Fleet VPN', SUB_ANNOUNCE: 'Maintenance Sunday 02:00 UTC' } });
    const auth = { Authorization: `Bearer ${await t.adminToken()}` };
    const groups: number[] = [];
    for (const [i, kind] of KINDS.entries()) {
      const body = { name: kind, countryCode: COUNTRIES[i], sortOrder: i };
      groups.push((await t.http().post('/api/v1/groups').set(auth).send(body).expect(201)).body.id);
    }
    fleet = await startFleet(
      t,
      groups.map((groupId, i) => ({ node: { groupId, inboundId: i + 1, location: `City ${i + 1}` } })),
    );
    const { body: key } = await t.http().put('/api/v1/keys/9001').set(auth).send({ plan: { groups } }).expect(201);
    path = new URL(key.subscriptionUrl).pathname;
    const text = (await t.http().get(`${path}?format=links`).expect(200)).text;
    links = text.trim().split('\n').map(fromLink);
  });
  afterAll(async () => {
    await t.close();
    await fleet.stop();
  });

  it('lists a link per server in group order, named by the template (flag and group), never by an internal id', () => {
    expect(links.map((link) => link.protocol)).toEqual(['vless', 'vless', 'vmess', 'trojan', 'shadowsocks']);
    expect(links.map((link) => link.name)).toEqual(KINDS.map((kind, i) => `${flagOf(COUNTRIES[i])} ${kind}`));
    expect(links[0]).toMatchObject({ security: 'reality', flow: 'xtls-rprx-vision', publicKey: expect.any(String) });
    expect(links[4]).toMatchObject({ cipher: '2022-blake3-aes-128-gcm', secret: expect.stringContaining(':') });
  });

  it('base64 is the links, encoded; the default for unknown apps', async () => {
    const plain = (await t.http().get(`${path}?format=links`)).text;
    for (const request of [t.http().get(path), t.http().get(path).set('User-Agent', 'v2rayNG/1.9.0')]) {
      const response = await request.expect(200);
      expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(Buffer.from(response.text, 'base64').toString()).toBe(plain);
    }
  });

  it('Clash Meta YAML: a proxy per server agreeing with its link, a select group, an automatic group, MATCH', async () => {
    const response = await t.http().get(path).set('User-Agent', 'clash-verge/v2.0.3').expect(200);
    expect(response.headers['content-type']).toBe('text/yaml; charset=utf-8');
    const profile = parseYaml(response.text);
    const proxies = profile.proxies.map(fromClash);
    expect(proxies.map((proxy: Server, i: number) => withoutDefaults(proxy, links[i]))).toEqual(links);
    expect(profile['proxy-groups']).toEqual([
      { name: 'Fleet VPN', type: 'select', proxies: ['Auto', ...links.map((link) => link.name)] },
      expect.objectContaining({ name: 'Auto', type: 'url-test', proxies: links.map((link) => link.name) }),
    ]);
    expect(profile.rules).toEqual(['MATCH,Fleet VPN']);
    expect(profile.proxies[3]['grpc-opts']).toEqual({ 'grpc-service-name': 'tr-grpc' });
  });

  it('sing-box JSON: an outbound per server agreeing with its link, a selector, urltest and direct', async () => {
    const response = await t.http().get(path).set('User-Agent', 'SFA/1.11.4 (Android 14)').expect(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const profile = JSON.parse(response.text);
    const servers = profile.outbounds.filter((o: Json) => ['vless', 'vmess', 'trojan', 'shadowsocks'].includes(o.type));
    expect(servers.map((o: Json, i: number) => withoutDefaults(fromSingBox(o), links[i]))).toEqual(links);
    const [selector, auto] = profile.outbounds;
    expect(selector).toMatchObject({ type: 'selector', tag: 'proxy', default: 'auto' });
    expect(auto).toMatchObject({ type: 'urltest', outbounds: links.map((link) => link.name) });
    expect(profile.outbounds.at(-1)).toEqual({ type: 'direct', tag: 'direct' });
    expect(profile.route.final).toBe('proxy');
  });

  it('Xray JSON: a complete config per server agreeing with its link, SOCKS on 127.0.0.1:10808', async () => {
    const response = await t.http().get(path).set('User-Agent', 'Happ/1.5.2').expect(200);
    const configs = JSON.parse(response.text);
    expect(configs).toHaveLength(5);
    expect(configs.map((c: Json, i: number) => withoutDefaults(fromXray(c), links[i]))).toEqual(links);
    expect(configs[0].inbounds[0]).toMatchObject({ protocol: 'socks', listen: '127.0.0.1', port: 10808 });
    expect(configs[3].outbounds[0].streamSettings.grpcSettings).toEqual({ serviceName: 'tr-grpc', multiMode: true });
  });

  it('an HTML page for browsers: status, links with QR codes, import links, nothing from elsewhere', async () => {
    const browser = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 Safari/537.36';
    const response = await t
      .http()
      .get(path)
      .set('User-Agent', browser)
      .set('Accept', 'text/html,application/xhtml+xml')
      .expect(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toMatch(
      /default-src 'none'; style-src 'self'; script-src 'self'/,
    );
    expect(response.headers['x-frame-options']).toBe('DENY');
    // Style and script only from here (versioned by content), nothing inline, nothing from anywhere else.
    const scripts = [...response.text.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts).toEqual([expect.stringMatching(/^ src="\/sub-assets\/page\.js\?v=[0-9a-f]{12}" defer$/)]);
    const [stylesheet] = [...response.text.matchAll(/<link rel="stylesheet" href="([^"]+)">/g)].map((m) => m[1]);
    expect(stylesheet).toMatch(/^\/sub-assets\/page\.css\?v=[0-9a-f]{12}$/);
    expect(response.text).not.toMatch(/<style|https?:\/\/(?!localhost)/);
    const script = await t
      .http()
      .get(scripts[0].match(/src="([^"]+)"/)![1])
      .expect(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toBe('public, max-age=86400');
    expect(script.text).toContain('var qrcode = function');
    expect(script.text).toContain("querySelectorAll('input[data-qr]')");
    expect((await t.http().get(stylesheet).expect(200)).headers['content-type']).toBe('text/css; charset=utf-8');
    await t.http().get('/sub-assets/page.js?v=000000000000').expect(404); // only the current versions are served
    expect(response.text.match(/<input readonly data-qr/g)).toHaveLength(6); // the subscription URL and each server
    expect(response.text).toContain(`value="http://localhost`);
    expect(response.text).toContain(`${path}" aria-label="subscription URL"`);
    expect(response.text).toContain(`happ://add/http://`);
    expect(response.text).toContain('sing-box://import-remote-profile?url=');
    expect(response.text).toContain('Active');
    // A browser that asks for something else gets the links.
    const plain = await t.http().get(path).set('User-Agent', browser).set('Accept', '*/*').expect(200);
    expect(plain.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('a named format wins over the User-Agent, by query or path; an unknown one is 400; HEAD answers every one', async () => {
    const clash = await t.http().get(`${path}/clash`).set('User-Agent', 'Happ/1.5.2').expect(200);
    expect(clash.headers['content-type']).toBe('text/yaml; charset=utf-8');
    const singbox = await t.http().get(`${path}?format=singbox`).set('User-Agent', 'clash-meta').expect(200);
    expect(JSON.parse(singbox.text).outbounds).toBeDefined();
    for (const bad of [`${path}?format=yaml`, `${path}/json`, `${path}/%FF`]) {
      const refused = await t.http().get(bad).expect(400);
      expect(refused.body).toMatchObject({ code: 'VALIDATION_FAILED', message: [expect.stringContaining('format')] });
    }
    for (const format of ['links', 'base64', 'clash', 'singbox', 'xray', 'html']) {
      const get = await t.http().get(`${path}?format=${format}`).expect(200);
      const head = await t.http().head(`${path}?format=${format}`).expect(200);
      expect(head.text).toBeFalsy();
      expect(head.headers['content-length']).toBe(get.headers['content-length']);
      expect(head.headers['content-type']).toBe(get.headers['content-type']);
    }
  });

  it('every format carries the app headers: usage, title, interval, file name and the announcement', async () => {
    for (const format of ['base64', 'clash', 'singbox', 'xray', 'html']) {
      const { headers } = await t.http().get(`${path}?format=${format}`).expect(200);
      expect(headers['subscription-userinfo']).toMatch(/^upload=\d+; download=\d+; total=\d+; expire=\d+$/);
      expect(headers['profile-title']).toBe(`base64:${Buffer.from('Fleet VPN').toString('base64')}`);
      expect(headers['profile-update-interval']).toBe('1');
      expect(headers['content-disposition']).toMatch(
        new RegExp(`^${format === 'html' ? 'inline' : 'attachment'}; filename="Fleet VPN"`),
      );
      expect(headers['announce']).toBe('Maintenance Sunday 02:00 UTC');
    }
  });

  it('a real client (v2ray) carries traffic with the Xray config of the vmess server, unchanged but its address', async () => {
    const v2ray = findV2ray();
    if (!v2ray) return; // not installed here; CI installs it
    const configs = JSON.parse((await t.http().get(`${path}/xray`).expect(200)).text);
    const client = configs.find((config: Json) => config.outbounds[0].protocol === 'vmess');
    const user = client.outbounds[0].settings.vnext[0].users[0];
    const dir = mkdtempSync(join(tmpdir(), 'v2ray-'));
    const target = createServer((_, response) => response.end('through the tunnel'));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const [serverPort, socksPort] = [await freePort(), await freePort()];
    // The server side: a vmess-over-ws inbound like the panel's (path /vm) with this user's id.
    const server = {
      inbounds: [
        {
          listen: '127.0.0.1',
          port: serverPort,
          protocol: 'vmess',
          settings: { clients: [{ id: user.id, alterId: 0 }] },
          streamSettings: { network: 'ws', wsSettings: { path: '/vm' } },
        },
      ],
      outbounds: [{ protocol: 'freedom' }],
    };
    // The client: the served config, pointed at the local server (v2ray 4.34 does not sniff QUIC, Xray does).
    client.inbounds[0].port = socksPort;
    client.inbounds[0].sniffing.destOverride = ['http', 'tls'];
    Object.assign(client.outbounds[0].settings.vnext[0], { address: '127.0.0.1', port: serverPort });
    writeFileSync(join(dir, 'server.json'), JSON.stringify(server));
    writeFileSync(join(dir, 'client.json'), JSON.stringify(client));
    const running: ChildProcess[] = ['server', 'client'].map((side) =>
      spawn(v2ray, ['-config', join(dir, `${side}.json`)], { stdio: 'ignore' }),
    );
    try {
      await Promise.all([listening(serverPort), listening(socksPort)]);
      const { port } = target.address() as AddressInfo;
      const { stdout } = await promisify(execFile)('curl', [
        '-s',
        '--max-time',
        '10',
        '--socks5-hostname',
        `127.0.0.1:${socksPort}`,
        `http://127.0.0.1:${port}/`,
      ]);
      expect(stdout).toBe('through the tunnel');
    } finally {
      running.forEach((child) => child.kill('SIGKILL'));
      target.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a user who may not connect gets no link, and the announcement says why', async () => {
    const auth = fleet.auth;
    await t.http().patch('/api/v1/keys/9001/access').set(auth).send({ enabled: false }).expect(200);
    try {
      for (const format of ['links', 'clash', 'singbox', 'xray']) {
        const response = await t.http().get(`${path}?format=${format}`).expect(200);
        expect(response.headers['announce']).toBe('Your access is disabled. Contact support.');
        expect(response.headers['profile-update-interval']).toBe('1');
        if (format === 'links') expect(response.text).toBe('');
        if (format === 'clash') expect(parseYaml(response.text).proxies).toEqual([]);
        if (format === 'xray') expect(JSON.parse(response.text)).toEqual([]);
      }
    } finally {
      await t.http().patch('/api/v1/keys/9001/access').set(auth).send({ enabled: true }).expect(200);
    }
    await t.http().patch('/api/v1/keys/9001/access').set(auth).send({ expiresAt: '2020-01-01T00:00:00Z' }).expect(200);
    const expired = await t.http().get(`${path}?format=singbox`).expect(200);
    expect(expired.headers['announce']).toBe('Your plan has ended. Renew it to connect again.');
    expect(JSON.parse(expired.text).outbounds.map((o: Json) => o.type)).toEqual(['selector', 'direct']);
    await t.http().patch('/api/v1/keys/9001/access').set(auth).send({ expiresAt: null }).expect(200);
  });

  it('a user none of whose nodes can serve gets no link, and is told to wait', async () => {
    const nodes = (status: string) =>
      Promise.all(
        fleet.nodeIds.map((id) => t.http().patch(`/api/v1/nodes/${id}`).set(fleet.auth).send({ status }).expect(200)),
      );
    await nodes('maintenance');
    try {
      const response = await t.http().get(`${path}?format=links`).expect(200);
      expect(response.text).toBe('');
      expect(response.headers['announce']).toMatch(/^No server is available right now/);
      expect(response.headers['profile-update-interval']).toBe('1');
    } finally {
      await nodes('active');
    }
    expect((await t.http().get(`${path}?format=links`).expect(200)).text.trim().split('\n')).toHaveLength(5);
  });

  it("a group renamed and a node's new public host show on the very next fetch", async () => {
    const [groupId] = (await t.dataSource.query(`SELECT group_id FROM nodes WHERE id = $1`, [fleet.nodeIds[2]])).map(
      (row: { group_id: number }) => row.group_id,
    );
    const fetchLinks = async () =>
      (await t.http().get(`${path}?format=links`).expect(200)).text.trim().split('\n').map(fromLink);
    await fetchLinks(); // the node and group as kept before the change
    await t.http().patch(`/api/v1/groups/${groupId}`).set(fleet.auth).send({ name: 'Vienna' }).expect(200);
    await t
      .http()
      .patch(`/api/v1/nodes/${fleet.nodeIds[2]}`)
      .set(fleet.auth)
      .send({ publicHost: 'edge.example.net' })
      .expect(200);
    const renamed = await fetchLinks();
    expect(renamed[2]).toMatchObject({ name: `${flagOf(COUNTRIES[2])} Vienna`, server: 'edge.example.net' });
    expect(renamed.filter((link) => link.server === 'edge.example.net')).toHaveLength(1);
  });
});

/** Debian's `v2ray` when it is on PATH (a real proxy client); CI installs it, so there it must be found. */
function findV2ray(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v v2ray'], { encoding: 'utf8' });
  const path = found.status === 0 ? found.stdout.trim() : '';
  if (!path && process.env['CI']) throw new Error('v2ray is not on PATH; CI installs the v2ray package');
  return path || null;
}

async function listening(port: number): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}
