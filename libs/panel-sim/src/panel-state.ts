import { goJsonError, sortedPrettyJson } from './go-json';
import { SimInbound } from './seed-inbounds';

/** Per-client usage row (`ClientTraffic`), keyed by email. */
export interface SimTraffic {
  id: number;
  inboundId: number;
  enable: boolean;
  email: string;
  uuid: string;
  subId: string;
  up: number;
  down: number;
  allTime: number;
  expiryTime: number;
  total: number;
  reset: number;
  lastOnline: number;
}

export type Client = Record<string, unknown> & { email?: string };

/** The inbound fields an update sends. */
export type InboundFields = Partial<
  Pick<
    SimInbound,
    | 'up'
    | 'down'
    | 'total'
    | 'remark'
    | 'enable'
    | 'expiryTime'
    | 'trafficReset'
    | 'listen'
    | 'port'
    | 'protocol'
    | 'settings'
    | 'streamSettings'
    | 'sniffing'
  >
>;

/** A handled outcome: the panel's `{success,msg,obj}` envelope, or a Go panic (HTTP 500, empty body). */
export type Outcome = { success: boolean; msg: string; obj: unknown } | { panic: true };

export const ok = (msg: string, obj: unknown = null): Outcome => ({ success: true, msg, obj });
export const fail = (msg: string): Outcome => ({ success: false, msg, obj: null });
const PANIC: Outcome = { panic: true };

const MSG = {
  wrong: 'Something went wrong',
  obtain: 'Obtain',
  traffics: 'Error getting traffics.',
  added: 'Inbound client(s) have been added.',
  updated: 'Inbound client has been updated.',
  deleted: 'Inbound client has been deleted.',
};
/** The panel's own error texts come from Sprintln and end in a newline. */
const wrapped = (prefix: string, text: string, newline = true) => `${prefix} (${text}${newline ? '\n' : ''})`;

function sortedTopLevel(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, value[key]]),
  );
}

/** Which field identifies a client in URLs: UUID for vmess/vless, password for trojan, email for shadowsocks. */
export function clientKey(protocol: string, client: Client): string {
  if (protocol === 'trojan') return String(client['password'] ?? '');
  if (protocol === 'shadowsocks') return String(client.email ?? '');
  return String(client['id'] ?? '');
}

/** The inbounds, their clients (inside `settings` text, as the panel keeps them) and the traffic rows. */
export class PanelState {
  readonly traffics = new Map<string, SimTraffic>();
  private nextTrafficId = 1;
  private readonly emailCache = new Map<number, { settings: string; emails: string[] }>();
  private readonly parsed = new Map<number, { text: string; value: Record<string, unknown> }>();
  private readonly sorted = new WeakSet<object>();
  onlines: string[] = [];
  /** Bytes Xray has carried for the clients since the panel started (what the host's network figures follow). */
  readonly carried = { up: 0, down: 0 };

  /**
   * `lifetimeCounters`: traffic rows show `allTime` and `lastOnline` (v2.6.8+); older panels count only `up`/`down`,
   * which a traffic reset zeroes.
   */
  constructor(
    readonly inbounds: SimInbound[],
    private readonly lifetimeCounters = true,
  ) {
    for (const inbound of inbounds)
      for (const client of this.clientsOf(inbound) ?? []) this.addTraffic(inbound, client);
  }

  findInbound(id: number): SimInbound | undefined {
    return this.inbounds.find((inbound) => inbound.id === id);
  }

  /** The clients in the inbound's stored settings (a fresh array the caller may change; objects are shared). */
  clientsOf(inbound: SimInbound): Client[] | null {
    const clients = this.settingsOf(inbound)['clients'];
    return Array.isArray(clients) ? [...(clients as Client[])] : null;
  }

  /** The inbound's settings, parsed once per version of its text (the simulator's own cost, not the panel's). */
  private settingsOf(inbound: SimInbound): Record<string, unknown> {
    const cached = this.parsed.get(inbound.id);
    if (cached?.text === inbound.settings) return cached.value;
    const value = JSON.parse(inbound.settings) as Record<string, unknown>;
    this.parsed.set(inbound.id, { text: inbound.settings, value });
    return value;
  }

  /** Every email on the panel; parsed once per version of each inbound's settings text. */
  allEmails(): string[] {
    return this.inbounds.flatMap((inbound) => {
      const cached = this.emailCache.get(inbound.id);
      if (cached?.settings === inbound.settings) return cached.emails;
      const emails = (this.clientsOf(inbound) ?? []).map((c) => String(c.email ?? ''));
      this.emailCache.set(inbound.id, { settings: inbound.settings, emails });
      return emails;
    });
  }

  clientCount(): number {
    return this.allEmails().length;
  }

  listInbounds(): unknown[] {
    return this.inbounds.map((inbound) =>
      this.view(
        inbound,
        [...this.traffics.values()].filter((t) => t.inboundId === inbound.id).map((row) => this.rowView(row)),
      ),
    );
  }

  /** A traffic row as this panel version answers it. */
  private rowView(row: SimTraffic): Partial<SimTraffic> {
    if (this.lifetimeCounters) return row;
    const { allTime: _allTime, lastOnline: _lastOnline, ...older } = row;
    return older;
  }

  view(inbound: SimInbound, clientStats: Partial<SimTraffic>[] | null): Record<string, unknown> {
    const { id, up, down, total, allTime, remark, enable, expiryTime, trafficReset, lastTrafficResetTime } = inbound;
    const { listen, port, protocol, settings, streamSettings, tag, sniffing } = inbound;
    return {
      id,
      up,
      down,
      total,
      allTime,
      remark,
      enable,
      expiryTime,
      trafficReset,
      lastTrafficResetTime,
      clientStats,
      listen,
      port,
      protocol,
      settings,
      streamSettings,
      tag,
      sniffing,
    };
  }

  /** §7.1: validate everything first (all-or-nothing), then append. v3.0.2+ panels also refuse empty emails. */
  addClients(inboundId: number, settingsText: string, now: number, requireEmail = false): Outcome {
    const jsonError = goJsonError(settingsText);
    if (jsonError) return fail(wrapped(MSG.wrong, jsonError, false));
    const clients = (JSON.parse(settingsText) as { clients?: unknown }).clients;
    if (!Array.isArray(clients)) return PANIC;

    const taken = new Set(this.allEmails().map((email) => email.toLowerCase()));
    for (const client of clients as Client[]) {
      const email = String(client.email ?? '');
      if (email === '' && requireEmail) return fail(wrapped(MSG.wrong, 'client email is required'));
      if (email === '') continue;
      if (taken.has(email.toLowerCase())) return fail(wrapped(MSG.wrong, `Duplicate email: ${email}`));
      taken.add(email.toLowerCase());
    }
    const inbound = this.findInbound(inboundId);
    if (!inbound) return fail(wrapped(MSG.wrong, 'record not found', false));
    const existing = this.clientsOf(inbound);
    if (existing === null) return PANIC;
    for (const client of clients as Client[]) {
      if (clientKey(inbound.protocol, client) === '') return fail(wrapped(MSG.wrong, 'empty client ID'));
    }
    this.append(inbound, clients as Client[], now);
    return ok(MSG.added);
  }

  /** Appends already-validated clients, stamped, with their traffic rows (one row per email, panel-wide). */
  append(inbound: SimInbound, clients: Client[], now: number): void {
    const stamped = clients.map((client) => ({ ...client, created_at: now, updated_at: now }));
    this.writeClients(inbound, [...(this.clientsOf(inbound) ?? []), ...stamped]);
    for (const client of stamped)
      if (client.email && !this.traffics.has(client.email)) this.addTraffic(inbound, client);
  }

  /** §7.2: only clients[0] counts; the key in the URL is the client's current key. */
  updateClient(inboundId: number, currentKey: string, settingsText: string, now: number): Outcome {
    const jsonError = goJsonError(settingsText);
    if (jsonError) return fail(wrapped(MSG.wrong, jsonError, false));
    const clients = (JSON.parse(settingsText) as { clients?: unknown }).clients;
    if (!Array.isArray(clients) || clients.length === 0) return PANIC;
    const inbound = this.findInbound(inboundId);
    if (!inbound) return fail(wrapped(MSG.wrong, 'record not found', false));
    const existing = this.clientsOf(inbound) ?? [];
    const index = existing.findIndex((client) => clientKey(inbound.protocol, client) === currentKey);
    const next = clients[0] as Client;
    if (index < 0 || clientKey(inbound.protocol, next) === '') return fail(wrapped(MSG.wrong, 'empty client ID'));
    const old = existing[index];
    const oldEmail = String(old.email ?? '');
    const newEmail = String(next.email ?? '');
    if (newEmail !== oldEmail && this.allEmails().some((email) => email.toLowerCase() === newEmail.toLowerCase())) {
      return fail(wrapped(MSG.wrong, `Duplicate email: ${newEmail}`));
    }
    this.replaceClient(inbound, existing, index, next, now);
    this.renameTraffic(oldEmail, next);
    return ok(MSG.updated);
  }

  /** Replaces a client object, keeping `created_at`. */
  replaceClient(inbound: SimInbound, clients: Client[], index: number, next: Client, now: number): void {
    clients[index] = { ...next, created_at: clients[index]['created_at'] ?? now, updated_at: now };
    this.writeClients(inbound, clients);
  }

  /** The traffic row follows the client's new email and limits; up/down are preserved. */
  renameTraffic(oldEmail: string, next: Client): void {
    const newEmail = String(next.email ?? '');
    const traffic = this.traffics.get(oldEmail);
    if (traffic) {
      this.traffics.delete(oldEmail);
      this.traffics.set(newEmail, {
        ...traffic,
        email: newEmail,
        enable: next['enable'] !== false,
        uuid: String(next['id'] ?? ''),
        subId: String(next['subId'] ?? ''),
        total: Number(next['totalGB'] ?? 0),
        expiryTime: Number(next['expiryTime'] ?? 0),
        reset: Number(next['reset'] ?? 0),
      });
    }
  }

  /**
   * The panel's periodic traffic job (every 5–10 s on a real panel, spec §7): Xray's byte deltas are added to the
   * rows; a client's first traffic turns a negative `expiryTime` (days from first use) into an absolute one, in the
   * row and in the inbound's settings; then rows that are depleted (`total` > 0 and up + down ≥ total) or expired
   * are disabled — the row only, `settings.clients[].enable` stays as it is (§6.3).
   */
  recordTraffic(deltas: Array<{ email: string; up: number; down: number }>, now = Date.now()): number {
    let accepted = 0;
    for (const { email, up, down } of deltas) {
      const row = this.traffics.get(email);
      // Xray only carries clients that are enabled in the settings and whose row is not disabled.
      if (!row || up + down <= 0 || !row.enable || !this.isEnabledInSettings(row)) continue;
      accepted += up + down;
      this.carried.up += up;
      this.carried.down += down;
      row.up += up;
      row.down += down;
      row.allTime += up + down;
      row.lastOnline = now;
      if (row.expiryTime < 0) {
        row.expiryTime = now - row.expiryTime;
        const inbound = this.findInbound(row.inboundId);
        const clients = inbound ? this.clientsOf(inbound) : null;
        const index = clients?.findIndex((client) => client.email === email) ?? -1;
        if (inbound && clients && index >= 0) {
          clients[index] = { ...clients[index], expiryTime: row.expiryTime };
          this.writeClients(inbound, clients);
        }
      }
    }
    for (const row of this.traffics.values()) {
      const depleted = row.total > 0 && row.up + row.down >= row.total;
      const expired = row.expiryTime > 0 && row.expiryTime <= now;
      if (depleted || expired) row.enable = false;
    }
    return accepted;
  }

  private isEnabledInSettings(row: SimTraffic): boolean {
    const inbound = this.findInbound(row.inboundId);
    const client = (inbound ? this.clientsOf(inbound) : null)?.find((candidate) => candidate.email === row.email);
    return client?.['enable'] !== false;
  }

  /** §7 `:id/resetClientTraffic/:email`: the row's up/down back to 0 and the row enabled again. */
  resetClientTraffic(email: string): Outcome {
    const row = this.traffics.get(email);
    if (!row) return fail(wrapped(MSG.wrong, `Inbound Not Found For Email: ${email}`));
    Object.assign(row, { up: 0, down: 0, enable: true });
    return ok('Traffic has been reset.');
  }

  /** §7 `resetAllClientTraffics/:id`: every row of the inbound (`-1`: of every inbound) back to 0 and enabled. */
  resetAllClientTraffics(inboundId: number): Outcome {
    for (const row of this.traffics.values())
      if (inboundId === -1 || row.inboundId === inboundId) Object.assign(row, { up: 0, down: 0, enable: true });
    return ok('All traffic has been reset.');
  }

  /** §7.3 `:id/delClient/:clientId` as in v2.8: an unknown key succeeds without change. */
  deleteClient(inboundId: number, key: string): Outcome {
    const inbound = this.findInbound(inboundId);
    if (!inbound) return fail(wrapped(MSG.wrong, 'record not found', false));
    const existing = this.clientsOf(inbound) ?? [];
    const index = existing.findIndex((client) => clientKey(inbound.protocol, client) === key);
    if (index < 0) return ok(MSG.deleted);
    if (existing.length === 1) return fail(wrapped(MSG.wrong, 'no client remained in Inbound'));
    this.removeAt(inbound, existing, index);
    return ok(MSG.deleted);
  }

  /** §7.3 `:id/delClientByEmail/:email`: fixed English messages; exact, case-sensitive lookup. */
  deleteClientByEmail(inboundId: number, email: string): Outcome {
    const inbound = this.findInbound(inboundId);
    if (!inbound) return fail(wrapped('Failed to delete client by email', 'record not found', false));
    const existing = this.clientsOf(inbound) ?? [];
    const index = existing.findIndex((client) => client.email === email);
    if (index < 0) return fail(wrapped('Failed to delete client by email', `client with email ${email} not found`));
    if (existing.length === 1)
      return fail(wrapped('Failed to delete client by email', 'no client remained in Inbound'));
    this.removeAt(inbound, existing, index);
    return ok('Client deleted successfully');
  }

  /**
   * `getClientTraffics/:email`. From v2.8.1 the row is answered only when the client is in its inbound's settings
   * (a client lost from them fails); up to v2.8.0 the row is answered as stored, and an unknown email with a null.
   */
  clientTraffic(email: string, rowsOnly = false): Outcome {
    const traffic = this.traffics.get(email);
    if (rowsOnly) return ok('', traffic ? this.rowView(traffic) : null);
    if (!traffic) return fail(wrapped(MSG.traffics, `Inbound Not Found For Email: ${email}`));
    const inbound = this.findInbound(traffic.inboundId);
    if (!inbound || !(this.clientsOf(inbound) ?? []).some((client) => client.email === email)) {
      return fail(wrapped(MSG.traffics, `Client Not Found In Inbound For Email: ${email}`));
    }
    return ok('', this.rowView(traffic));
  }

  getInbound(id: number): Outcome {
    const inbound = this.findInbound(id);
    return inbound ? ok('', this.view(inbound, null)) : fail(wrapped(MSG.obtain, 'record not found', false));
  }

  /**
   * `inbounds/update/:id` as in v2.8: the inbound becomes what was sent (a field left out is its zero value, as Go
   * binds it: the operator's UI always sends the whole inbound); the tag follows the port; traffic rows follow the
   * clients' emails (rows of emails gone are deleted, new emails get one). A port another inbound listens on is
   * refused first.
   */
  updateInbound(id: number, sent: InboundFields): Outcome {
    const wildcard = (listen: string) => ['', '0.0.0.0', '::', '::0'].includes(listen);
    const port = sent.port ?? 0;
    const listen = sent.listen ?? '';
    const taken = this.inbounds.some(
      (other) =>
        other.id !== id &&
        other.port === port &&
        (wildcard(listen) || wildcard(other.listen) || other.listen === listen),
    );
    if (taken) return fail(wrapped(MSG.wrong, `Port already exists: ${port}`));
    const inbound = this.findInbound(id);
    if (!inbound) return fail(wrapped(MSG.wrong, 'record not found', false));
    const before = new Set((this.clientsOf(inbound) ?? []).map((client) => String(client.email ?? '')));
    Object.assign(inbound, {
      up: sent.up ?? 0,
      down: sent.down ?? 0,
      total: sent.total ?? 0,
      remark: sent.remark ?? '',
      enable: sent.enable ?? false,
      expiryTime: sent.expiryTime ?? 0,
      trafficReset: sent.trafficReset ?? '',
      listen,
      port,
      protocol: sent.protocol ?? '',
      settings: sent.settings ?? '',
      streamSettings: sent.streamSettings ?? '',
      sniffing: sent.sniffing ?? '',
      tag: wildcard(listen) ? `inbound-${port}` : `inbound-${listen}:${port}`,
    });
    const clients = this.clientsOf(inbound) ?? [];
    if (clients.length) this.writeClients(inbound, clients);
    const after = new Set(clients.map((client) => String(client.email ?? '')));
    for (const email of before) if (!after.has(email)) this.traffics.delete(email);
    for (const client of clients) if (!before.has(String(client.email ?? ''))) this.addTraffic(inbound, client);
    return ok('Inbound has been successfully updated.', this.view(inbound, null));
  }

  /** Removes a client without the classic API's last-client refusal (the v3.1 client records allow it). */
  removeByEmail(inboundId: number, email: string): void {
    const inbound = this.findInbound(inboundId);
    if (!inbound) return;
    const clients = this.clientsOf(inbound) ?? [];
    const index = clients.findIndex((client) => client.email === email);
    if (index >= 0) this.removeAt(inbound, clients, index);
  }

  private removeAt(inbound: SimInbound, clients: Client[], index: number): void {
    const [removed] = clients.splice(index, 1);
    this.writeClients(inbound, clients);
    this.traffics.delete(String(removed.email ?? ''));
  }

  /** Rewrites the settings text as the panel does: keys sorted, pretty-printed (clients sorted once each). */
  private writeClients(inbound: SimInbound, clients: Client[]): void {
    const sortedClients = clients.map((client) => (this.sorted.has(client) ? client : this.markSorted(client)));
    const value = sortedTopLevel({ ...this.settingsOf(inbound), clients: sortedClients });
    inbound.settings = JSON.stringify(value, null, 2);
    this.parsed.set(inbound.id, { text: inbound.settings, value });
  }

  private markSorted(client: Client): Client {
    const sorted = JSON.parse(sortedPrettyJson(client)) as Client;
    this.sorted.add(sorted);
    return sorted;
  }

  private addTraffic(inbound: SimInbound, client: Client): void {
    const email = String(client.email ?? '');
    if (!email) return;
    this.traffics.set(email, {
      id: this.nextTrafficId++,
      inboundId: inbound.id,
      enable: client['enable'] !== false,
      email,
      uuid: String(client['id'] ?? ''),
      subId: String(client['subId'] ?? ''),
      up: 0,
      down: 0,
      allTime: 0,
      expiryTime: Number(client['expiryTime'] ?? 0),
      total: Number(client['totalGB'] ?? 0),
      reset: Number(client['reset'] ?? 0),
      lastOnline: 0,
    });
  }
}
