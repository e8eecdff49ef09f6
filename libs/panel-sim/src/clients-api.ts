import { randomUUID } from 'node:crypto';
import { Client, Outcome, PanelState, clientKey, fail, ok } from './panel-state';

/**
 * The v3.1+ email-keyed client API (spec §10) over the same inbound settings the classic API edits:
 * one email per panel, attachable to several inbounds.
 */
export class ClientsApi {
  constructor(private readonly state: PanelState) {}

  list(): Outcome {
    const byEmail = new Map<string, { client: Client; inboundIds: number[] }>();
    for (const inbound of this.state.inbounds) {
      for (const client of this.state.clientsOf(inbound) ?? []) {
        const email = String(client.email ?? '');
        const entry = byEmail.get(email) ?? { client, inboundIds: [] };
        entry.inboundIds.push(inbound.id);
        byEmail.set(email, entry);
      }
    }
    return ok('', [...byEmail.values()]);
  }

  get(email: string): Outcome {
    const found = this.locate(email);
    if (found.length === 0) return notFound(email);
    const traffic = this.state.traffics.get(email);
    return ok('', {
      client: found[0].client,
      inboundIds: found.map((entry) => entry.inboundId),
      externalLinks: [],
      usedTraffic: traffic ? traffic.up + traffic.down : 0,
    });
  }

  add(body: unknown, now: number): Outcome {
    const { client, inboundIds } = (body ?? {}) as { client?: Client; inboundIds?: unknown };
    if (!client || typeof client !== 'object') return failed('client is required');
    const email = String(client.email ?? '');
    const invalid = checkIdentifier('email', email) ?? checkIdentifier('subId', String(client['subId'] ?? ''));
    if (invalid) return failed(invalid);
    if (!Array.isArray(inboundIds) || inboundIds.length === 0) return failed('at least one inbound is required');
    if (this.state.allEmails().some((taken) => taken.toLowerCase() === email.toLowerCase())) {
      return failed(`email already in use: ${email}`);
    }
    const subId = String(client['subId'] ?? '') || randomUUID();
    if (this.subIdTaken(subId, email)) return failed(`subId already in use: ${subId}`);
    const inbounds = inboundIds.map((id) => this.state.findInbound(Number(id)));
    if (inbounds.some((inbound) => !inbound)) return fail('Something went wrong (record not found)');
    if (inbounds.some((inbound) => clientKey(inbound!.protocol, client) === '')) return failed('empty client ID');
    for (const inbound of inbounds) this.state.append(inbound!, [{ ...client, subId, enable: true }], now);
    return ok('Client added', null);
  }

  update(email: string, body: unknown, now: number): Outcome {
    const found = this.locate(email);
    if (found.length === 0) return notFound(email);
    const next = (body ?? {}) as Client;
    const newEmail = String(next.email ?? email);
    const invalid = checkIdentifier('email', newEmail);
    if (invalid) return failed(invalid);
    if (newEmail !== email && this.state.allEmails().some((taken) => taken.toLowerCase() === newEmail.toLowerCase())) {
      return failed(`Duplicate email: ${newEmail}`);
    }
    const merged = { ...found[0].client, ...next, email: newEmail };
    for (const { inboundId } of found) {
      const inbound = this.state.findInbound(inboundId)!;
      const clients = this.state.clientsOf(inbound) ?? [];
      this.state.replaceClient(
        inbound,
        clients,
        clients.findIndex((c) => c.email === email),
        merged,
        now,
      );
    }
    this.state.renameTraffic(email, merged);
    return ok('Client updated', null);
  }

  remove(email: string): Outcome {
    const found = this.locate(email);
    if (found.length === 0) return notFound(email);
    for (const { inboundId } of found) this.state.removeByEmail(inboundId, email);
    return ok('Client deleted', null);
  }

  private locate(email: string): Array<{ inboundId: number; client: Client }> {
    return this.state.inbounds.flatMap((inbound) =>
      (this.state.clientsOf(inbound) ?? [])
        .filter((client) => client.email === email)
        .map((client) => ({ inboundId: inbound.id, client })),
    );
  }

  private subIdTaken(subId: string, email: string): boolean {
    return this.state.inbounds.some((inbound) =>
      (this.state.clientsOf(inbound) ?? []).some((c) => c['subId'] === subId && c.email !== email),
    );
  }
}

const failed = (text: string): Outcome => fail(`Something went wrong (${text}\n)`);
const notFound = (email: string): Outcome => failed(`client "${email}" not found in any inbound or client record`);

/** Emails and subIds may not carry slashes, backslashes, whitespace or control characters. */
function checkIdentifier(field: 'email' | 'subId', value: string): string | null {
  if (field === 'email' && value === '') return 'client email is required';
  // eslint-disable-next-line no-control-regex
  if (/[/\\\s\u0000-\u001f\u007f]/.test(value)) return `${field} contains invalid characters`;
  return null;
}
