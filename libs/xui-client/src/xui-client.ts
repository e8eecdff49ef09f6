import axios, { AxiosInstance, AxiosResponse } from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { CookieJar } from './cookie-jar';
import { classifyFailure, PanelError } from './errors';
import { scrubSecrets } from './scrub';
import { ApiGeneration, ClientTraffic, Inbound, PanelClient, PanelEnvelope, ServerStatus } from './types';

export interface XuiClientOptions {
  /** Panel URL including its web base path, e.g. `https://host:2053/secretpath/`. */
  baseUrl: string;
  username: string;
  password: string;
  /** v3 Bearer API token; preferred over the cookie session when set. */
  apiToken?: string | null;
  /** Per-call timeout (default 10 s). */
  timeoutMs?: number;
  /** Verify the panel's TLS certificate (default true). */
  tlsVerify?: boolean;
  /** Prefix of error labels, e.g. the node name. */
  name?: string;
  /**
   * Runs each write (one call, or an add with its read-back) while holding the panel's write lock, so that writers
   * outside this client (other replicas) never overlap with it. Default: this client's own order only.
   */
  writeLock?: <T>(work: () => Promise<T>) => Promise<T>;
}

interface CallOptions {
  form?: Record<string, string>;
  json?: unknown;
  timeoutMs?: number;
  /** Login/probe calls do not trigger the re-login dance. */
  anonymous?: boolean;
}

const SESSION_COOKIE = '3x-ui';
/** Sends of an add batch (the first and re-sends of what the panel did not keep) before it counts as failed. */
const ADD_ATTEMPTS = 3;
/**
 * One 3x-ui panel. Logs in lazily, re-logs in once when a session has expired (no sliding renewal exists),
 * speaks the panel's API generation, and never runs two writes on the panel at the same time (v2.x panels
 * lose one side of overlapping writes); added clients are read back before an add resolves.
 */
export class XuiClient {
  readonly baseUrl: string;
  private readonly http: AxiosInstance;
  private readonly agents: Array<HttpAgent | HttpsAgent>;
  private readonly jar = new CookieJar();
  private readonly timeoutMs: number;
  private readonly name: string;
  private csrfToken: string | null = null;
  private loggingIn: Promise<void> | null = null;
  private writes: Promise<unknown> = Promise.resolve();
  private detected: ApiGeneration | null = null;
  /** Set once a panel turns out to predate `delClientByEmail` (v2.8). */
  private deleteByEmailMissing = false;
  /** Whether a traffic read shows only clients in the inbound's settings (v2.8.1+); known after the first add. */
  private trafficReadsSettings: boolean | null = null;

  constructor(private readonly options: XuiClientOptions) {
    this.baseUrl = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.name = options.name ?? new URL(this.baseUrl).host;
    const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 16 });
    const httpsAgent = new HttpsAgent({
      keepAlive: true,
      maxSockets: 16,
      rejectUnauthorized: options.tlsVerify ?? true,
    });
    this.agents = [httpAgent, httpsAgent];
    this.http = axios.create({
      baseURL: this.baseUrl,
      httpAgent,
      httpsAgent,
      proxy: false,
      maxRedirects: 0,
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: (data) => data,
      headers: { 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json' },
    });
  }

  /** The API generation, known after the first successful call. */
  get generation(): ApiGeneration | null {
    return this.detected;
  }

  close(): void {
    for (const agent of this.agents) agent.destroy();
  }

  // ---- reads ----

  listInbounds(): Promise<Inbound[]> {
    return this.call<Inbound[]>('listInbounds', 'GET', 'panel/api/inbounds/list').then((list) => list ?? []);
  }

  getInbound(id: number): Promise<Inbound> {
    return this.call<Inbound>('getInbound', 'GET', `panel/api/inbounds/get/${id}`);
  }

  async clientTraffic(email: string): Promise<ClientTraffic> {
    const path =
      (await this.speaks()) === 'clients'
        ? `panel/api/clients/traffic/${encodeURIComponent(email)}`
        : `panel/api/inbounds/getClientTraffics/${encodeURIComponent(email)}`;
    const traffic = await this.call<ClientTraffic | null>('clientTraffic', 'GET', path);
    // ≤ v2.8.0 answers an unknown email with success and a null object.
    if (!traffic) throw new PanelError('not-found', this.label('clientTraffic'), `no client with email ${email}`);
    return traffic;
  }

  async onlineEmails(): Promise<string[]> {
    const path = (await this.speaks()) === 'clients' ? 'panel/api/clients/onlines' : 'panel/api/inbounds/onlines';
    return (await this.call<string[] | null>('onlines', 'POST', path)) ?? [];
  }

  async serverStatus(timeoutMs?: number): Promise<ServerStatus> {
    const status =
      (await this.speaks()) === 'legacy'
        ? await this.call<ServerStatus | null>('serverStatus', 'POST', 'server/status', { timeoutMs })
        : await this.call<ServerStatus | null>('serverStatus', 'GET', 'panel/api/server/status', { timeoutMs });
    // The panel refreshes its status every 2 s in the background; right after a start there is none yet.
    if (!status)
      throw new PanelError('protocol', this.label('serverStatus'), 'no status yet (the panel has just started)');
    return status;
  }

  // ---- writes (one at a time per panel) ----

  /**
   * Adds several clients, all or nothing, and resolves once the panel is seen to keep them: what a write that
   * overlapped ours (e.g. the operator's) lost is sent again, under the same write lock. Classic panels take the
   * batch in one call and validate it whole; v3.1+ panels take one client per call, so a failure part-way removes
   * the ones already added.
   */
  async addClients(inboundId: number, clients: PanelClient[]): Promise<void> {
    await this.speaks(); // logged in before the write lock is taken
    return this.exclusive(async () => {
      let missing = clients;
      for (let attempt = 1; missing.length; attempt++) {
        if (attempt > ADD_ATTEMPTS) {
          throw new PanelError(
            'unconfirmed',
            this.label('addClients'),
            `the panel answered success but kept ${clients.length - missing.length} of ${clients.length} clients after ${ADD_ATTEMPTS} sends`,
          );
        }
        await this.sendAdd(inboundId, missing);
        missing = await this.notKept(inboundId, missing);
      }
    });
  }

  /**
   * The clients of a batch just added that the panel does not hold. A lost write loses its whole batch (the panel
   * saved an inbound read before it), so one client's traffic read answers for the batch where that read follows
   * the inbound's settings (v2.8.1+); the inbound itself is read only when that client is missing, or on older panels.
   */
  private async notKept(inboundId: number, sent: PanelClient[]): Promise<PanelClient[]> {
    if ((await this.trafficFollowsSettings()) && (await this.holds(sent[sent.length - 1].email))) return [];
    const inbound = await this.getInbound(inboundId);
    const kept = new Set(inboundClients(inbound).map((client) => clientIdentity(inbound.protocol, client)));
    return sent.filter((client) => !kept.has(clientIdentity(inbound.protocol, client)));
  }

  private holds(email: string): Promise<boolean> {
    return this.clientTraffic(email).then(
      () => true,
      (error: unknown) => {
        if (error instanceof PanelError && error.kind === 'not-found') return false;
        throw error;
      },
    );
  }

  /** v2.8.1+ answers a traffic read only for a client in its inbound's settings; earlier panels answer the row. */
  private async trafficFollowsSettings(): Promise<boolean> {
    if (this.trafficReadsSettings === null) {
      if ((await this.speaks()) === 'clients') this.trafficReadsSettings = true;
      else {
        // An email that cannot exist: v2.8.1+ fails it, earlier panels answer success with a null.
        const path = `panel/api/inbounds/getClientTraffics/${encodeURIComponent(`no such client ${Date.now()}`)}`;
        this.trafficReadsSettings = await this.call<ClientTraffic | null>('clientTraffic', 'GET', path).then(
          () => false,
          (error: unknown) => {
            if (error instanceof PanelError && error.kind === 'not-found') return true;
            throw error;
          },
        );
      }
    }
    return this.trafficReadsSettings;
  }

  private async sendAdd(inboundId: number, clients: PanelClient[]): Promise<void> {
    if ((await this.speaks()) !== 'clients') {
      return this.post('addClients', 'panel/api/inbounds/addClient', {
        json: { id: inboundId, settings: JSON.stringify({ clients }) },
      });
    }
    const added: string[] = [];
    try {
      for (const client of clients) {
        await this.post('addClients', 'panel/api/clients/add', { json: { client, inboundIds: [inboundId] } });
        added.push(client.email);
      }
    } catch (error) {
      for (const email of added) await this.removeByEmail(email).catch(() => undefined);
      throw error;
    }
  }

  /**
   * `currentKey`: UUID for vmess/vless, password for trojan, email for shadowsocks (classic API).
   * v3.1+ panels key clients by email: `currentEmail` (default: the client's email).
   */
  async updateClient(
    inboundId: number,
    currentKey: string,
    client: PanelClient,
    currentEmail: string = client.email,
  ): Promise<void> {
    const path =
      (await this.speaks()) === 'clients'
        ? `panel/api/clients/update/${encodeURIComponent(currentEmail)}`
        : `panel/api/inbounds/updateClient/${encodeURIComponent(currentKey)}`;
    const json =
      this.detected === 'clients' ? client : { id: inboundId, settings: JSON.stringify({ clients: [client] }) };
    return this.exclusive(() => this.post('updateClient', path, { json }));
  }

  /** Deletes by key (UUID, trojan password, or shadowsocks email). */
  async deleteClient(inboundId: number, key: string): Promise<void> {
    if ((await this.speaks()) === 'clients') {
      return this.deleteClientByEmail(inboundId, await this.emailOfKey(inboundId, key));
    }
    return this.exclusive(() =>
      this.post('deleteClient', `panel/api/inbounds/${inboundId}/delClient/${encodeURIComponent(key)}`),
    );
  }

  /** Deletes by email: `clients/del` on v3.1+, `delClientByEmail` on v2.8+, a lookup then delete by key before. */
  async deleteClientByEmail(inboundId: number, email: string): Promise<void> {
    if ((await this.speaks()) === 'clients') return this.exclusive(() => this.removeByEmail(email));
    if (this.deleteByEmailMissing) return this.deleteClient(inboundId, await this.keyOfEmail(inboundId, email));
    try {
      await this.exclusive(() =>
        this.post(
          'deleteClientByEmail',
          `panel/api/inbounds/${inboundId}/delClientByEmail/${encodeURIComponent(email)}`,
        ),
      );
    } catch (error) {
      // Before v2.8 the route does not exist: an empty 404 even after a fresh login.
      if (!(error instanceof PanelError && error.kind === 'session-rejected')) throw error;
      this.deleteByEmailMissing = true;
      await this.deleteClient(inboundId, await this.keyOfEmail(inboundId, email));
    }
  }

  private removeByEmail(email: string): Promise<void> {
    return this.post('deleteClientByEmail', `panel/api/clients/del/${encodeURIComponent(email)}`);
  }

  private async emailOfKey(inboundId: number, key: string): Promise<string> {
    return (await this.findClient(inboundId, (client, protocol) => clientKeyOf(protocol, client) === key, key)).email;
  }

  private async keyOfEmail(inboundId: number, email: string): Promise<string> {
    const { client, protocol } = await this.findClient(inboundId, (candidate) => candidate.email === email, email);
    return clientKeyOf(protocol, client);
  }

  private async findClient(
    inboundId: number,
    matches: (client: PanelClient, protocol: string) => boolean,
    what: string,
  ): Promise<{ client: PanelClient; protocol: string; email: string }> {
    const inbound = await this.getInbound(inboundId);
    const client = inboundClients(inbound).find((candidate) => matches(candidate, inbound.protocol));
    if (!client)
      throw new PanelError('not-found', this.label('deleteClient'), `no client ${what} in inbound ${inboundId}`);
    return { client, protocol: inbound.protocol, email: client.email };
  }

  private post(label: string, path: string, options: CallOptions = {}): Promise<void> {
    return this.call<null>(label, 'POST', path, options).then(() => undefined);
  }

  // ---- session ----

  /**
   * Logs in now (normally done lazily); with an API token, checks the token instead (no session exists).
   * Throws `auth-failed` on refused credentials.
   */
  async login(): Promise<void> {
    if (this.options.apiToken) return this.detectGeneration();
    if (!this.loggingIn) {
      this.loggingIn = this.doLogin().finally(() => (this.loggingIn = null));
    }
    return this.loggingIn;
  }

  /** The panel's API generation, logging in (and probing) first if needed. */
  private async speaks(): Promise<ApiGeneration> {
    await this.ensureSession();
    return this.detected ?? 'classic';
  }

  private async ensureSession(): Promise<void> {
    if (this.options.apiToken) {
      if (!this.detected) await this.detectGeneration();
      return;
    }
    if (!this.jar.has(SESSION_COOKIE)) await this.login();
  }

  private async doLogin(): Promise<void> {
    this.jar.clear();
    this.csrfToken = null;
    // v3 panels hand out a CSRF token that must accompany the login; earlier panels answer 404 here.
    const csrf = await this.send('csrfToken', 'GET', 'csrf-token', {});
    if (csrf.status === 200 && isJson(csrf)) {
      const envelope = parseEnvelope<string>(csrf.data);
      if (envelope?.success && typeof envelope.obj === 'string') this.csrfToken = envelope.obj;
    }
    const response = await this.send('login', 'POST', 'login', {
      form: { username: this.options.username, password: this.options.password },
    });
    const envelope = response.status === 200 ? parseEnvelope<null>(response.data) : null;
    if (!envelope) throw this.protocolError('login', response);
    if (!envelope.success) {
      this.jar.clear();
      throw new PanelError('auth-failed', this.label('login'), 'login refused', {
        panelText: this.scrub(envelope.msg),
      });
    }
    if (!this.jar.has(SESSION_COOKIE))
      throw new PanelError('protocol', this.label('login'), 'login succeeded but set no session cookie');
    if (!this.detected) await this.detectGeneration();
  }

  /** Spec §3.5: status under /panel/api → v2.7+; a clients list → v3.1+. */
  private async detectGeneration(): Promise<void> {
    const status = await this.send('detect', 'GET', 'panel/api/server/status', {});
    if (this.options.apiToken && status.status === 401) throw this.tokenRefused('detect');
    if (status.status === 404 && !isJson(status)) {
      this.detected = 'legacy';
      return;
    }
    if (status.status !== 200 || !isJson(status)) throw this.protocolError('detect', status);
    const clients =
      this.csrfToken || this.options.apiToken ? await this.send('detect', 'GET', 'panel/api/clients/list', {}) : null;
    this.detected = clients?.status === 200 && isJson(clients) ? 'clients' : 'classic';
  }

  // ---- transport ----

  private async call<T>(label: string, method: 'GET' | 'POST', path: string, options: CallOptions = {}): Promise<T> {
    await this.ensureSession();
    let response = await this.send(label, method, path, options);
    if (needsLogin(response) && !this.options.apiToken) {
      await this.login();
      response = await this.send(label, method, path, options);
      if (needsLogin(response)) {
        throw new PanelError(
          'session-rejected',
          this.label(label),
          `still refused after a fresh login (HTTP ${response.status}); the endpoint may not exist in this panel version`,
        );
      }
    } else if (response.status === 401) {
      throw this.tokenRefused(label);
    } else if (needsLogin(response)) {
      throw new PanelError(
        'session-rejected',
        this.label(label),
        `refused with the API token (HTTP ${response.status})`,
      );
    }
    if (response.status === 403)
      throw new PanelError('auth-failed', this.label(label), 'forbidden (CSRF token or API token scope)');
    if (response.status !== 200) throw this.protocolError(label, response);
    const envelope = parseEnvelope<T>(response.data);
    if (!envelope) throw this.protocolError(label, response);
    if (!envelope.success) throw classifyFailure(this.label(label), this.scrub(envelope.msg));
    return envelope.obj;
  }

  private async send(
    label: string,
    method: 'GET' | 'POST',
    path: string,
    options: CallOptions,
  ): Promise<AxiosResponse<string>> {
    const headers: Record<string, string> = {};
    let data: string | undefined;
    if (options.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      data = new URLSearchParams(options.form).toString();
    } else if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      data = JSON.stringify(options.json);
    }
    if (this.options.apiToken) headers['Authorization'] = `Bearer ${this.options.apiToken}`;
    const cookie = this.jar.header();
    if (cookie) headers['Cookie'] = cookie;
    if (this.csrfToken && method !== 'GET') headers['X-CSRF-Token'] = this.csrfToken;
    const timeout = options.timeoutMs ?? this.timeoutMs;
    try {
      const response = await this.http.request<string>({
        method,
        url: path,
        data,
        headers,
        timeout,
        signal: AbortSignal.timeout(timeout + 50),
      });
      this.jar.store(response.headers['set-cookie']);
      return response;
    } catch (error) {
      // Every status is accepted above, so a thrown error means no answer came: refused, DNS, reset, timeout.
      const code = (error as { code?: string }).code ?? 'ERROR';
      const timedOut = code === 'ECONNABORTED' || code === 'ERR_CANCELED';
      throw new PanelError(
        'unreachable',
        this.label(label),
        `${method} ${path}: ${timedOut ? `timed out after ${timeout} ms` : code}`,
        { reason: timedOut ? 'timeout' : code === 'ECONNREFUSED' ? 'refused' : 'unreachable' },
      );
    }
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const locked = () => (this.options.writeLock ? this.options.writeLock(work) : work());
    const run = this.writes.then(locked, locked);
    this.writes = run.catch(() => undefined);
    return run;
  }

  private label(call: string): string {
    return `${this.name} ${call}`;
  }

  private tokenRefused(label: string): PanelError {
    return new PanelError('auth-failed', this.label(label), 'the panel refused the API token (HTTP 401)');
  }

  /**
   * A reply that is not the panel's JSON. Only its status and a classified reason are kept, never its text: whatever
   * answers at a misconfigured URL (a proxy, an echo server) may repeat the credentials we sent.
   */
  private protocolError(label: string, response: AxiosResponse<string>): PanelError {
    const body = String(response.data ?? '');
    const what =
      response.status === 500 && !body
        ? 'HTTP 500 with an empty body (the panel failed handling the call)'
        : `HTTP ${response.status} with ${describeReply(response, body)}, not the panel's JSON`;
    return new PanelError('protocol', this.label(label), what);
  }

  /** Removes anything we send as a credential from text a panel (or an impostor) sends back. */
  private scrub(text: string): string {
    return scrubSecrets(text, [this.options.password, this.options.apiToken, this.csrfToken, ...this.jar.values()]);
  }
}

/** The clients stored in an inbound's `settings` (a JSON text); none when it holds no list or is not JSON. */
export function inboundClients(inbound: Pick<Inbound, 'settings'>): PanelClient[] {
  try {
    const clients = (JSON.parse(inbound.settings) as { clients?: unknown }).clients;
    return Array.isArray(clients) ? (clients as PanelClient[]) : [];
  } catch {
    return [];
  }
}

/** A client as the panel identifies it: email and key. */
function clientIdentity(protocol: string, client: PanelClient): string {
  return `${client.email}\n${clientKeyOf(protocol, client)}`;
}

/** What a reply that is not the panel's JSON was, in words, without any of its text. */
function describeReply(response: AxiosResponse<string>, body: string): string {
  if (!body) return 'an empty body';
  if (body.trimStart().startsWith('<')) return 'an HTML page';
  if (isJson(response)) return 'JSON that is not the panel envelope';
  const type = String(response.headers['content-type'] ?? 'untyped').split(';')[0];
  return `${body.length} bytes of ${type} text`;
}

/** The field a classic panel keys a client by in URLs: UUID, trojan password, or shadowsocks email. */
export function clientKeyOf(protocol: string, client: PanelClient): string {
  if (protocol === 'trojan') return String(client.password ?? '');
  if (protocol === 'shadowsocks') return client.email;
  return String(client.id ?? '');
}

function isJson(response: AxiosResponse<string>): boolean {
  return String(response.headers['content-type'] ?? '').includes('application/json');
}

/** 401, an empty 404, a redirect to the login page, or HTML where JSON was expected: the session is gone. */
function needsLogin(response: AxiosResponse<string>): boolean {
  if (response.status === 401 || response.status === 307 || response.status === 302) return true;
  if (response.status === 404 && !response.data) return true;
  return (
    response.status === 200 &&
    String(response.data ?? '')
      .trimStart()
      .startsWith('<')
  );
}

function parseEnvelope<T>(text: string): PanelEnvelope<T> | null {
  try {
    const value = JSON.parse(text) as PanelEnvelope<T>;
    return value && typeof value === 'object' && typeof value.success === 'boolean' ? value : null;
  } catch {
    return null;
  }
}
