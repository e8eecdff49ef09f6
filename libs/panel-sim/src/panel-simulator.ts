import { createHmac, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { ClientsApi } from './clients-api';
import { InboundFields, Outcome, PanelState, fail } from './panel-state';
import { seedInbounds } from './seed-inbounds';
import { overridden, SimulatedHost, StatusOverride } from './simulated-host';
import { ShareLinkBuilder, SubscriptionServer } from './subscription-server';

export const FAULT_KINDS = [
  'none',
  'refuse',
  'hang',
  'http500',
  'expire-sessions',
  'xray-error',
  'bad-credentials',
  'echo',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  kind: FaultKind;
  /** Added to every answer. */
  latencyMs?: number;
  /** With `http500`: the share of requests answered 500 (default 1). */
  rate?: number;
  /** Added to logins only (bcrypt on a busy panel). */
  loginDelayMs?: number;
  /**
   * With `echo`: every request, login included, is answered `success:false` with the request itself (method, URL,
   * headers, body) in the message, as sent or encoded (what a broken proxy or a hostile panel could answer).
   */
  echo?: 'plain' | 'base64' | 'upper';
  /**
   * The next this many successful writes are lost, as when a write that overlapped them saved the inbound as it read
   * it before them: the answer is success, the inbound's settings stay as they were (traffic rows are kept).
   */
  lostWrites?: number;
}

export interface PanelSimulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Web base path; normalised to leading and trailing '/'. */
  basePath?: string;
  username?: string;
  password?: string;
  /** Panel version the behaviour follows: 2.x, 3.0.x (CSRF, API tokens) or 3.1+ (email-keyed client API). */
  version?: string;
  /** v3 API tokens (Settings → Security) accepted as `Authorization: Bearer <token>`. */
  apiTokens?: Array<{ token: string; scope: 'admin' | 'monitor' }>;
  /** Starts the subscription listener on its own port (0 = any free port). */
  subscription?: { port?: number; shareLink: ShareLinkBuilder; host?: string };
  sessionMaxAgeMinutes?: number;
  /** Time each write takes; `REALISTIC_WRITE_COST` follows a v2.8 panel (spec §14). Default: none. */
  writeCost?: WriteCost;
  tag?: string;
}

/** A write costs `fixedMs + perStoredClientMs × clients on the panel + perBatchClientMs × clients in the call`. */
export interface WriteCost {
  fixedMs: number;
  perStoredClientMs: number;
  perBatchClientMs: number;
}

/** v2.8 addClient at 10k stored clients: ≈ 125 ms fixed + ≈ 0.35 ms per client in the call (spec §14). */
export const REALISTIC_WRITE_COST: WriteCost = { fixedMs: 2, perStoredClientMs: 0.0125, perBatchClientMs: 0.35 };
const NO_WRITE_COST: WriteCost = { fixedMs: 0, perStoredClientMs: 0, perBatchClientMs: 0 };

const COOKIE = '3x-ui';
const TOKEN_SCOPE_DENIED = 'this API token is not permitted to access this endpoint';

interface Session {
  /** Logged-in user; empty for the pre-login session that only carries a CSRF token. */
  u: string;
  iat: number;
  g: number;
  /** v3 CSRF token bound to the session. */
  c?: string;
}

interface Route {
  name: string;
  run: (body: string, type: string) => Promise<Outcome>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A 3x-ui panel over real HTTP, per the panel's reference (routes, envelope, messages, sessions, quirks). */
export class PanelSimulator {
  readonly username: string;
  readonly password: string;
  readonly basePath: string;
  readonly version: string;
  readonly state: PanelState;
  readonly subscription: SubscriptionServer | null;
  private readonly clientsApi: ClientsApi;
  private readonly apiTokens: Array<{ token: string; scope: 'admin' | 'monitor' }>;
  private readonly host: string;
  private readonly sessionMaxAgeMs: number;
  private readonly secret = randomBytes(32);
  private readonly writeCost: WriteCost;
  private port: number;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private sessionGeneration = 0;
  private fault: Fault = { kind: 'none' };
  private xrayState: 'running' | 'stop' | 'error' = 'running';
  private readonly machine = new SimulatedHost();
  private statusOverride: StatusOverride = {};
  /** Counts of calls by route, for tests that check what a client did. */
  readonly calls = new Map<string, number>();
  /** Writes that began while another was in flight: what a client that serialises its writes never causes. */
  overlappingWrites = 0;
  private writesInFlight = 0;
  private writeQueue: Promise<unknown> = Promise.resolve();

  constructor(options: PanelSimulatorOptions = {}) {
    this.port = options.port ?? 0;
    this.host = options.host ?? '127.0.0.1';
    this.basePath = normaliseBasePath(options.basePath ?? `/${randomBytes(9).toString('hex')}/`);
    this.username = options.username ?? 'admin';
    this.password = options.password ?? randomBytes(9).toString('base64url');
    this.version = options.version ?? '2.8.11';
    this.sessionMaxAgeMs = (options.sessionMaxAgeMinutes ?? 360) * 60_000;
    this.writeCost = options.writeCost ?? NO_WRITE_COST;
    this.apiTokens = options.apiTokens ?? [];
    this.state = new PanelState(
      seedInbounds(options.tag ?? randomBytes(3).toString('hex')),
      versionAtLeast(this.version, '2.6.8'),
    );
    this.clientsApi = new ClientsApi(this.state);
    this.subscription = options.subscription
      ? new SubscriptionServer(this.state, {
          port: options.subscription.port ?? 0,
          host: this.host,
          publicHost: options.subscription.host ?? this.host,
          shareLink: options.subscription.shareLink,
        })
      : null;
  }

  /** v3.0+: CSRF on cookie sessions and Bearer API tokens. */
  get isV3(): boolean {
    return versionAtLeast(this.version, '3.0.0');
  }

  /** v3.1+: the classic client endpoints are gone; clients live under /panel/api/clients. */
  get hasClientsApi(): boolean {
    return versionAtLeast(this.version, '3.1.0');
  }

  get url(): string {
    return `http://${this.host}:${this.port}${this.basePath}`;
  }

  async start(): Promise<this> {
    await this.listen();
    await this.subscription?.start();
    return this;
  }

  async stop(): Promise<void> {
    await this.closeListener();
    await this.subscription?.stop();
  }

  currentFault(): Fault {
    return { ...this.fault };
  }

  currentStatusOverride(): StatusOverride {
    return structuredClone(this.statusOverride);
  }

  /** Changes what `server/status` answers (a hot CPU, fields left out or garbled) until the next call; `{}` resets. */
  setStatusOverride(override: StatusOverride): void {
    this.statusOverride = structuredClone(override);
  }

  /** Applies a fault; `none` clears every fault and reopens a refused port. */
  async setFault(fault: Fault): Promise<void> {
    if (!FAULT_KINDS.includes(fault.kind)) throw new Error(`unknown fault kind ${String(fault.kind)}`);
    if (fault.kind === 'expire-sessions') {
      this.sessionGeneration++;
      return;
    }
    this.fault = { ...fault };
    this.xrayState = fault.kind === 'xray-error' ? 'error' : 'running';
    if (fault.kind === 'refuse') await this.closeListener();
    else if (!this.server) await this.listen();
  }

  private async listen(): Promise<void> {
    const server = createServer((request, response) => void this.handle(request, response));
    server.keepAliveTimeout = 5_000;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  private async closeListener(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private count(route: string): void {
    this.calls.set(route, (this.calls.get(route) ?? 0) + 1);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const fault = this.fault;
    if (fault.kind === 'hang') return; // the socket stays open, nothing is ever written
    if (fault.latencyMs) await sleep(fault.latencyMs);
    if (fault.kind === 'http500' && Math.random() < (fault.rate ?? 1)) return end(response, 500);

    const url = new URL(request.url ?? '/', 'http://panel');
    const method = request.method ?? 'GET';
    const body = await readBody(request);
    if (fault.kind === 'echo') return json(response, fail(`Something went wrong (${echoOf(request, body, fault)})`));
    if (!url.pathname.startsWith(this.basePath)) return end(response, 404);
    const path = url.pathname.slice(this.basePath.length);

    if (path === 'csrf-token' && method === 'GET' && this.isV3) return this.csrfToken(request, response);
    if (path === 'login') {
      if (method !== 'POST') return end(response, 404);
      this.count('login');
      if (this.isV3 && !this.csrfValid(request, body)) return end(response, 403);
      return this.login(request, response, body);
    }
    if (path === '' && method === 'GET') {
      if (this.loggedIn(request)) return redirect(response, `${this.basePath}panel/`);
      return html(response, '<!DOCTYPE html><html><head><title>Login</title></head><body>login</body></html>');
    }
    if (path === 'logout') return this.logout(request, response, method, body);
    if (path === 'server/status' && method === 'POST' && !versionAtLeast(this.version, '2.7.0')) {
      // ≤ v2.6 serves status outside /panel/api, behind the same login check.
      if (!this.loggedIn(request)) return this.unauthenticated(request, response);
      this.count('status');
      return json(response, { success: true, msg: '', obj: this.status() });
    }
    if (!path.startsWith('panel/api/')) return end(response, 404);

    const apiPath = path.slice('panel/api/'.length);
    const route = this.route(method, apiPath);
    if (!route) return end(response, 404);
    const access = this.authorize(request, method, apiPath, body);
    if (access === 'unauthenticated') return this.unauthenticated(request, response);
    if (access === 'csrf') return end(response, 403);
    if (access === 'scope') return json(response, fail(TOKEN_SCOPE_DENIED), 403);
    this.count(route.name);
    const outcome = await route.run(body, contentType(request));
    if ('panic' in outcome) return end(response, 500);
    json(response, outcome);
  }

  /** Bearer tokens (v3) bypass session and CSRF; cookie sessions need the CSRF header on writes (v3). */
  private authorize(
    request: IncomingMessage,
    method: string,
    apiPath: string,
    body: string,
  ): 'ok' | 'unauthenticated' | 'csrf' | 'scope' {
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (bearer && this.isV3) {
      const token = this.apiTokens.find((candidate) => candidate.token === bearer);
      if (!token) return 'unauthenticated';
      if (token.scope === 'monitor' && !(method === 'GET' && apiPath === 'server/status')) return 'scope';
      return 'ok';
    }
    if (!this.loggedIn(request)) return 'unauthenticated';
    if (this.isV3 && method !== 'GET' && !this.csrfValid(request, body)) return 'csrf';
    return 'ok';
  }

  /** Unauthenticated API call, per version (spec §3.3). */
  private unauthenticated(request: IncomingMessage, response: ServerResponse): void {
    const xhr = request.headers['x-requested-with'] === 'XMLHttpRequest';
    if (versionAtLeast(this.version, '3.0.2')) return end(response, xhr ? 401 : 404);
    if (versionAtLeast(this.version, '2.8.4')) return end(response, 404);
    if (xhr) return json(response, fail('Your session has expired, please log in again'), 401);
    redirect(response, this.basePath);
  }

  /** v3 §3.4 step 1: the token lives in the session cookie, which this call creates when there is none. */
  private csrfToken(request: IncomingMessage, response: ServerResponse): void {
    this.count('csrf-token');
    let session = this.session(request);
    if (!session?.c) {
      session = { u: session?.u ?? '', iat: session?.iat ?? Date.now(), g: this.sessionGeneration };
      session.c = randomBytes(24).toString('base64url');
      response.setHeader('Set-Cookie', this.sessionCookie(session));
    }
    json(response, { success: true, msg: '', obj: session.c });
  }

  private csrfValid(request: IncomingMessage, body: string): boolean {
    const expected = this.session(request)?.c;
    const header = request.headers['x-csrf-token'];
    const sent =
      typeof header === 'string'
        ? header
        : contentType(request) === 'application/x-www-form-urlencoded'
          ? new URLSearchParams(body).get('_csrf')
          : null;
    return !!expected && sent === expected;
  }

  private logout(request: IncomingMessage, response: ServerResponse, method: string, body: string): void {
    const cleared = `${COOKIE}=; Path=${this.cookiePath()}; Max-Age=0; HttpOnly; SameSite=Lax`;
    if (versionAtLeast(this.version, '3.0.2')) {
      if (method !== 'POST') return end(response, 404);
      if (!this.csrfValid(request, body)) return end(response, 403);
      response.setHeader('Set-Cookie', cleared);
      return json(response, { success: true, msg: '', obj: null });
    }
    if (method !== 'GET') return end(response, 404);
    response.setHeader('Set-Cookie', cleared);
    redirect(response, this.basePath);
  }

  private async login(request: IncomingMessage, response: ServerResponse, body: string): Promise<void> {
    if (this.fault.loginDelayMs) await sleep(this.fault.loginDelayMs);
    const form = bindForm(body, contentType(request));
    if (form === null) return json(response, fail('The Input data format is invalid.'));
    const username = String(form['username'] ?? '');
    const password = String(form['password'] ?? '');
    if (!username) return json(response, fail('Username is required'));
    if (!password) return json(response, fail('Password is required'));
    if (username !== this.username || password !== this.password || this.fault.kind === 'bad-credentials') {
      return json(response, fail('Invalid username or password or two-factor code.'));
    }
    const session: Session = { u: this.username, iat: Date.now(), g: this.sessionGeneration };
    session.c = this.session(request)?.c;
    response.setHeader('Set-Cookie', this.sessionCookie(session));
    json(response, { success: true, msg: ' You have successfully logged into your account.', obj: null });
  }

  private cookiePath(): string {
    return versionAtLeast(this.version, '2.9.0') ? this.basePath : '/';
  }

  private sessionCookie(session: Session): string {
    const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
    const value = `${payload}.${createHmac('sha256', this.secret).update(payload).digest('base64url')}`;
    const maxAge = Math.floor(this.sessionMaxAgeMs / 1000);
    return `${COOKIE}=${value}; Path=${this.cookiePath()}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax`;
  }

  /** The signed cookie is the session: no server store, no sliding renewal. */
  private session(request: IncomingMessage): Session | null {
    const cookie = (request.headers.cookie ?? '')
      .split(';')
      .map((part) => part.trim())
      .find((part) => part.startsWith(`${COOKIE}=`));
    const [payload, signature] = (cookie?.slice(COOKIE.length + 1) ?? '').split('.');
    if (!payload || !signature) return null;
    if (createHmac('sha256', this.secret).update(payload).digest('base64url') !== signature) return null;
    const session = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Session;
    return session.g === this.sessionGeneration && Date.now() - session.iat < this.sessionMaxAgeMs ? session : null;
  }

  private loggedIn(request: IncomingMessage): boolean {
    return !!this.session(request)?.u;
  }

  private route(method: string, path: string): Route | null {
    if (path.startsWith('clients/')) return this.hasClientsApi ? this.clientsRoute(method, path) : null;
    if (get(method) && path === 'inbounds/list')
      return { name: 'list', run: async () => ({ success: true, msg: '', obj: this.state.listInbounds() }) };
    if (get(method) && /^inbounds\/get\/[^/]+$/.test(path)) {
      const id = path.slice('inbounds/get/'.length);
      return {
        name: 'get',
        run: async () => (isInt(id) ? this.state.getInbound(Number(id)) : fail(atoiError('Obtain', id))),
      };
    }
    if (method === 'POST' && /^inbounds\/update\/[^/]+$/.test(path)) {
      const id = path.slice('inbounds/update/'.length);
      const done = 'Inbound has been successfully updated.';
      return {
        name: 'updateInbound',
        run: (body, type) =>
          this.write(() => {
            if (!isInt(id)) return fail(atoiError(done, id));
            const sent = bindInboundFields(body, type);
            return 'error' in sent ? fail(`${done} (${sent.error})`) : this.state.updateInbound(Number(id), sent);
          }),
      };
    }
    if (get(method) && path === 'server/status' && versionAtLeast(this.version, '2.7.0')) {
      return { name: 'status', run: async () => ({ success: true, msg: '', obj: this.status() }) };
    }
    return this.hasClientsApi ? null : this.classicClientRoute(method, path);
  }

  /** §10: JSON bodies, email in the path. */
  private clientsRoute(method: string, path: string): Route | null {
    const api = this.clientsApi;
    const email = (prefix: string) => decodeURIComponent(path.slice(prefix.length));
    const body = (text: string, type: string): unknown => {
      if (type !== 'application/json') return null;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return null;
      }
    };
    if (get(method)) {
      if (path === 'clients/list') return { name: 'clients/list', run: async () => api.list() };
      if (path.startsWith('clients/get/'))
        return { name: 'clients/get', run: async () => api.get(email('clients/get/')) };
      if (path.startsWith('clients/traffic/')) {
        return { name: 'clients/traffic', run: async () => this.state.clientTraffic(email('clients/traffic/')) };
      }
      return null;
    }
    if (method !== 'POST') return null;
    if (path === 'clients/add') {
      return { name: 'clients/add', run: (text, type) => this.write(() => api.add(body(text, type), Date.now())) };
    }
    if (path.startsWith('clients/update/')) {
      const target = email('clients/update/');
      return {
        name: 'clients/update',
        run: (text, type) => this.write(() => api.update(target, body(text, type), Date.now())),
      };
    }
    if (path.startsWith('clients/del/')) {
      const target = email('clients/del/');
      return { name: 'clients/del', run: () => this.write(() => api.remove(target)) };
    }
    if (path === 'clients/onlines')
      return { name: 'clients/onlines', run: async () => ({ success: true, msg: '', obj: this.state.onlines }) };
    return null;
  }

  /** §7: the classic inbound-centred client endpoints (v2.7 – v3.0). */
  private classicClientRoute(method: string, path: string): Route | null {
    const match = (pattern: RegExp) => pattern.exec(path);
    const post = method === 'POST';
    let m: RegExpExecArray | null;
    if (post && path === 'inbounds/addClient') {
      return {
        name: 'addClient',
        run: (body, type) => {
          const bound = bindInbound(body, type, 'Inbound client(s) have been added.');
          const requireEmail = versionAtLeast(this.version, '3.0.2');
          return this.write(
            () =>
              'error' in bound
                ? bound.error
                : this.state.addClients(bound.id, bound.settings, Date.now(), requireEmail),
            'error' in bound ? 1 : batchSize(bound.settings),
          );
        },
      };
    }
    if (post && (m = match(/^inbounds\/updateClient\/([^/]+)$/))) {
      const key = decodeURIComponent(m[1]);
      return {
        name: 'updateClient',
        run: (body, type) =>
          this.write(() => {
            const bound = bindInbound(body, type, 'Inbound client has been updated.');
            return 'error' in bound ? bound.error : this.state.updateClient(bound.id, key, bound.settings, Date.now());
          }),
      };
    }
    if (post && (m = match(/^inbounds\/([^/]+)\/delClient\/([^/]+)$/))) {
      const [id, key] = [m[1], decodeURIComponent(m[2])];
      return {
        name: 'delClient',
        run: () =>
          this.write(() =>
            isInt(id)
              ? this.state.deleteClient(Number(id), key)
              : fail(atoiError('Inbound client has been deleted.', id)),
          ),
      };
    }
    if (
      post &&
      versionAtLeast(this.version, '2.8.0') &&
      (m = match(/^inbounds\/([^/]+)\/delClientByEmail\/([^/]+)$/))
    ) {
      const [id, email] = [m[1], decodeURIComponent(m[2])];
      return {
        name: 'delClientByEmail',
        run: () =>
          this.write(() =>
            isInt(id) ? this.state.deleteClientByEmail(Number(id), email) : fail(atoiError('Invalid inbound ID', id)),
          ),
      };
    }
    if (get(method) && (m = match(/^inbounds\/getClientTraffics\/([^/]+)$/))) {
      const email = decodeURIComponent(m[1]);
      const rowsOnly = !versionAtLeast(this.version, '2.8.1');
      return { name: 'getClientTraffics', run: async () => this.state.clientTraffic(email, rowsOnly) };
    }
    if (post && (m = match(/^inbounds\/([^/]+)\/resetClientTraffic\/([^/]+)$/))) {
      const [id, email] = [m[1], decodeURIComponent(m[2])];
      return {
        name: 'resetClientTraffic',
        run: async () =>
          isInt(id) ? this.state.resetClientTraffic(email) : fail(atoiError('Something went wrong', id)),
      };
    }
    if (post && (m = match(/^inbounds\/resetAllClientTraffics\/([^/]+)$/))) {
      const id = m[1];
      return {
        name: 'resetAllClientTraffics',
        run: async () =>
          /^-?\d+$/.test(id)
            ? this.state.resetAllClientTraffics(Number(id))
            : fail(atoiError('Something went wrong', id)),
      };
    }
    if (post && path === 'inbounds/onlines')
      return { name: 'onlines', run: async () => ({ success: true, msg: '', obj: this.state.onlines }) };
    return null;
  }

  /**
   * A write as the panel does it. v2.x reads the inbounds' settings, works for a while (the cost grows with the
   * clients on the panel) and saves the inbound it changed as it read it: an overlapping write to the same inbound
   * is lost (last writer wins, both answer success). v3.x queues its writes behind one writer.
   */
  private write(apply: () => Outcome, batch = 1): Promise<Outcome> {
    if (!this.isV3) return this.readModifyWrite(apply, batch);
    const queued = this.writeQueue.then(() => this.readModifyWrite(apply, batch));
    this.writeQueue = queued.catch(() => undefined);
    return queued;
  }

  private async readModifyWrite(apply: () => Outcome, batch: number): Promise<Outcome> {
    if (this.writesInFlight++ > 0) this.overlappingWrites++;
    try {
      const read = this.state.inbounds.map((inbound) => inbound.settings);
      const { fixedMs, perStoredClientMs, perBatchClientMs } = this.writeCost;
      const cost = fixedMs + perStoredClientMs * this.state.clientCount() + perBatchClientMs * batch;
      await (cost > 0 ? sleep(cost) : new Promise((resolve) => setImmediate(resolve)));
      const meanwhile = this.state.inbounds.map((inbound) => inbound.settings);
      this.state.inbounds.forEach((inbound, i) => (inbound.settings = read[i]));
      const outcome = apply();
      const lost = 'success' in outcome && outcome.success && (this.fault.lostWrites ?? 0) > 0;
      if (lost) this.fault.lostWrites = (this.fault.lostWrites ?? 1) - 1;
      this.state.inbounds.forEach((inbound, i) => {
        // Inbounds this write did not change keep what was written to them meanwhile; a lost write keeps nothing.
        if (lost || inbound.settings === read[i]) inbound.settings = meanwhile[i];
      });
      return outcome;
    } finally {
      this.writesInFlight--;
    }
  }

  private status(): Record<string, unknown> {
    const activity = {
      clients: this.state.clientCount(),
      online: this.state.onlines.length,
      upBytes: this.state.carried.up,
      downBytes: this.state.carried.down,
    };
    const xray = {
      state: this.xrayState,
      errorMsg: this.xrayState === 'error' ? 'Failed to start: main: failed to load config files' : '',
    };
    const status = this.machine.status(activity, xray, this.statusOverride.cpu);
    return overridden(this.isV3 ? { ...status, panelVersion: this.version } : status, this.statusOverride);
  }
}

export function normaliseBasePath(path: string): string {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  return trimmed ? `/${trimmed}/` : '/';
}

export function versionAtLeast(version: string, minimum: string): boolean {
  const a = version.split('.').map(Number);
  const b = minimum.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

const get = (method: string) => method === 'GET';

function batchSize(settings: string): number {
  try {
    const clients = (JSON.parse(settings) as { clients?: unknown }).clients;
    return Array.isArray(clients) ? Math.max(1, clients.length) : 1;
  } catch {
    return 1;
  }
}

function isInt(text: string): boolean {
  return /^-?\d+$/.test(text);
}

function atoiError(prefix: string, text: string): string {
  return `${prefix} (strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax)`;
}

/** The request repeated back, as the `echo` fault encodes it. */
function echoOf(request: IncomingMessage, body: string, fault: Fault): string {
  const text = `${request.method} ${request.url}\n${JSON.stringify(request.headers)}\n${body}`;
  if (fault.echo === 'base64') return Buffer.from(text).toString('base64');
  return fault.echo === 'upper' ? text.toUpperCase() : text;
}

function contentType(request: IncomingMessage): string {
  return (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', () => resolve(''));
  });
}

/** gin's ShouldBind: JSON by content type, form otherwise; any other type binds nothing. Null = unparsable. */
function bindForm(body: string, type: string): Record<string, unknown> | null {
  if (type === 'application/json') {
    try {
      const value = JSON.parse(body) as unknown;
      return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(body));
  return {};
}

/** Binds `{id, settings}` with the panel's type strictness (§5); failures reuse the handler's success text. */
function bindInbound(
  body: string,
  type: string,
  prefix: string,
): { id: number; settings: string } | { error: Outcome } {
  const bad = (text: string) => ({ error: fail(`${prefix} (${text})`) });
  if (type === 'application/json') {
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return bad('unexpected end of JSON input');
    }
    if (value['id'] !== undefined && typeof value['id'] !== 'number') {
      return bad(
        `json: cannot unmarshal ${typeof value['id'] === 'string' ? 'string' : typeof value['id']} into Go struct field Inbound.id of type int`,
      );
    }
    if (value['settings'] !== undefined && typeof value['settings'] !== 'string') {
      return bad(
        `json: cannot unmarshal ${Array.isArray(value['settings']) ? 'array' : typeof value['settings']} into Go struct field Inbound.settings of type string`,
      );
    }
    return { id: Number(value['id'] ?? 0), settings: String(value['settings'] ?? '') };
  }
  if (type === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(body);
    const id = form.get('id') ?? '0';
    if (!isInt(id)) return bad(`strconv.ParseInt: parsing ${JSON.stringify(id)}: invalid syntax`);
    return { id: Number(id), settings: form.get('settings') ?? '' };
  }
  return { id: 0, settings: '' };
}

const INBOUND_INTS = ['up', 'down', 'total', 'expiryTime', 'port'] as const;
const INBOUND_STRINGS = [
  'remark',
  'trafficReset',
  'listen',
  'protocol',
  'settings',
  'streamSettings',
  'sniffing',
] as const;

/** A whole inbound from a JSON or form body, as gin binds `model.Inbound` (types checked, absent fields left out). */
function bindInboundFields(body: string, type: string): InboundFields | { error: string } {
  const fields: Record<string, unknown> = {};
  if (type === 'application/json') {
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return { error: 'unexpected end of JSON input' };
    }
    const wrongType = (field: string, goType: string) => {
      const got = Array.isArray(value[field]) ? 'array' : typeof value[field];
      return { error: `json: cannot unmarshal ${got} into Go struct field Inbound.${field} of type ${goType}` };
    };
    for (const field of INBOUND_INTS) {
      if (value[field] === undefined) continue;
      if (!Number.isInteger(value[field])) return wrongType(field, 'int');
      fields[field] = value[field];
    }
    for (const field of INBOUND_STRINGS) {
      if (value[field] === undefined) continue;
      if (typeof value[field] !== 'string') return wrongType(field, 'string');
      fields[field] = value[field];
    }
    if (value['enable'] !== undefined) {
      if (typeof value['enable'] !== 'boolean') return wrongType('enable', 'bool');
      fields['enable'] = value['enable'];
    }
    return fields as InboundFields;
  }
  if (type === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(body);
    for (const field of INBOUND_INTS) {
      const text = form.get(field);
      if (text === null) continue;
      if (!/^[+-]?\d+$/.test(text))
        return { error: `strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax` };
      fields[field] = Number(text);
    }
    for (const field of INBOUND_STRINGS) if (form.get(field) !== null) fields[field] = form.get(field);
    const enable = form.get('enable');
    if (enable !== null) {
      if (!['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'].includes(enable))
        return { error: `strconv.ParseBool: parsing ${JSON.stringify(enable)}: invalid syntax` };
      fields['enable'] = ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(enable);
    }
    return fields as InboundFields;
  }
  return {};
}

function end(response: ServerResponse, status: number): void {
  response.writeHead(status, { 'Content-Length': 0 });
  response.end();
}

function json(response: ServerResponse, outcome: Outcome, status = 200): void {
  const { success, msg, obj } = outcome as { success: boolean; msg: string; obj: unknown };
  const text = JSON.stringify({ success, msg, obj });
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}

function html(response: ServerResponse, text: string): void {
  response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  response.end(text);
}

function redirect(response: ServerResponse, location: string): void {
  response.writeHead(307, { Location: location, 'Content-Length': 0 });
  response.end();
}
