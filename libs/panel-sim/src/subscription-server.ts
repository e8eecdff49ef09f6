import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Client, PanelState } from './panel-state';
import { SimInbound } from './seed-inbounds';

/** Builds one share link (the panel's sub generator); null when the inbound cannot be linked. */
export type ShareLinkBuilder = (inbound: SimInbound, client: Client, host: string) => string | null;

const LINKED_PROTOCOLS = new Set(['vmess', 'vless', 'trojan', 'shadowsocks']);
const SUB_PATH = '/sub/';
const UPDATE_INTERVAL_HOURS = 12;

/**
 * The panel's subscription listener (spec §11): its own port, no auth, no base path.
 * `GET /sub/<subId>` → base64 of every matching link + "\n"; unknown subId or nothing enabled → 400 `Error!`.
 */
export class SubscriptionServer {
  private server: Server | null = null;
  private port: number;

  constructor(
    private readonly state: PanelState,
    private readonly options: { port: number; host: string; publicHost: string; shareLink: ShareLinkBuilder },
  ) {
    this.port = options.port;
  }

  url(subId: string): string {
    return `http://${this.options.host}:${this.port}${SUB_PATH}${encodeURIComponent(subId)}`;
  }

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://sub').pathname;
      const subId = path.startsWith(SUB_PATH) ? decodeURIComponent(path.slice(SUB_PATH.length)) : '';
      const found = request.method === 'GET' && subId ? this.collect(subId) : null;
      if (!found) {
        response.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
        response.end('Error!');
        return;
      }
      response.writeHead(200, {
        'Content-Type': 'text/plain; charset=utf-8',
        'Subscription-Userinfo': found.userInfo,
        'Profile-Update-Interval': String(UPDATE_INTERVAL_HOURS),
      });
      response.end(Buffer.from(found.links.map((link) => `${link}\n`).join('')).toString('base64'));
    });
    await new Promise<void>((resolve) => server.listen(this.port, this.options.host, () => resolve()));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  private collect(subId: string): { links: string[]; userInfo: string } | null {
    const links: string[] = [];
    const rows: Array<{ up: number; down: number; total: number; expiryTime: number }> = [];
    for (const inbound of this.state.inbounds) {
      if (!inbound.enable || !LINKED_PROTOCOLS.has(inbound.protocol)) continue;
      for (const client of this.state.clientsOf(inbound) ?? []) {
        if (client['enable'] === false || client['subId'] !== subId) continue;
        const link = this.options.shareLink(inbound, client, this.options.publicHost);
        if (link) links.push(link);
        const traffic = this.state.traffics.get(String(client.email ?? ''));
        rows.push({
          up: traffic?.up ?? 0,
          down: traffic?.down ?? 0,
          total: Number(client['totalGB'] ?? 0),
          expiryTime: Number(client['expiryTime'] ?? 0),
        });
      }
    }
    if (links.length === 0) return null;
    const sum = (pick: (row: (typeof rows)[number]) => number) => rows.reduce((acc, row) => acc + pick(row), 0);
    const total = rows.some((row) => row.total === 0) ? 0 : sum((row) => row.total);
    const expiries = new Set(rows.map((row) => row.expiryTime));
    const expire = expiries.size === 1 ? Math.floor([...expiries][0] / 1000) : 0;
    return {
      links,
      userInfo: `upload=${sum((row) => row.up)}; download=${sum((row) => row.down)}; total=${total}; expire=${expire}`,
    };
  }
}
