import type { DriftSampleView } from '@fleet/contract';
import { clientKeyOf, PanelClient } from '@fleet/xui-client';

/** A client the database says must be on the node's inbound, with the fields it must carry. */
export interface DesiredClient {
  userId: number;
  client: PanelClient;
}

/** One difference, as shown to operators: the key field is named, never its value (`email` is empty for the
 * inbound's own fields). */
export type DriftSample = DriftSampleView;

export interface NodeDrift {
  missing: DesiredClient[];
  /** Clients whose owned fields differ: which ones, and each difference as shown to operators. */
  changed: Array<{ userId: number; email: string; fields: string[]; differences: DriftSample[] }>;
  /** Clients of ours that no user should have there (tombstoned, or with our naming and no assignment). */
  extra: Array<{ email: string; tombstoned: boolean }>;
  /** Clients we never made or adopted: counted, never touched. */
  foreign: number;
  /** The inbound's own fields that differ, each with its sample (set by the caller, which reads the inbound). */
  inbound: DriftSample[];
}

/** The fields of a client we own; everything else on it belongs to the operator. */
const OWNED = ['enable', 'expiryTime', 'totalGB', 'limitIp', 'subId'] as const;
/** `totalGB` follows the node's counter between passes; a smaller difference is not drift. */
const TOTAL_TOLERANCE_BYTES = 1_000_000;
const SAMPLE_SIZE = 20;

function differs(field: (typeof OWNED)[number], panel: unknown, desired: unknown): boolean {
  const actual = Number(panel ?? 0);
  const wanted = Number(desired ?? 0);
  switch (field) {
    case 'enable':
      return (panel !== false) !== (desired !== false);
    case 'subId':
      return String(panel ?? '') !== String(desired ?? '');
    case 'expiryTime':
      // On hold: the panel turns the negative expiry absolute at first traffic (the access pass reads it back).
      return !(wanted < 0 && actual > 0) && actual !== wanted;
    case 'totalGB':
      return (actual === 0) !== (wanted === 0) || Math.abs(actual - wanted) > TOTAL_TOLERANCE_BYTES;
    default:
      return actual !== wanted;
  }
}

/** What lets the user in: the key field, or for shadowsocks (keyed by email) the per-user password. */
function credential(protocol: string, client: PanelClient): string {
  return protocol === 'shadowsocks' ? String(client.password ?? '') : clientKeyOf(protocol, client);
}

/**
 * What differs between the clients a node's inbound has (`actual`) and what the database wants there. Clients being
 * placed (`pending`) are neither missing nor extra; `ours` tells our clients (naming, adoption) from the operator's.
 */
export function diffNode(input: {
  protocol: string;
  desired: DesiredClient[];
  actual: PanelClient[];
  pending: ReadonlySet<string>;
  tombstoned: ReadonlySet<string>;
  ours: (email: string) => boolean;
}): NodeDrift {
  const key = (email: string) => email.toLowerCase();
  const actualByEmail = new Map(input.actual.filter((c) => c.email).map((c) => [key(c.email), c]));
  const wanted = new Set(input.desired.map((d) => key(d.client.email)));
  const drift: NodeDrift = { missing: [], changed: [], extra: [], foreign: 0, inbound: [] };

  for (const desired of input.desired) {
    const found = actualByEmail.get(key(desired.client.email));
    if (!found) {
      drift.missing.push(desired);
      continue;
    }
    const fields: string[] = [];
    const differences: DriftSample[] = [];
    if (credential(input.protocol, found) !== credential(input.protocol, desired.client)) {
      fields.push('key');
      differences.push({ kind: 'changed', email: found.email, field: 'key' }); // a credential: no values shown
    }
    for (const field of OWNED) {
      if (!differs(field, found[field], desired.client[field])) continue;
      fields.push(field);
      const panel = found[field] ?? null;
      differences.push({ kind: 'changed', email: found.email, field, panel, desired: desired.client[field] });
    }
    if (fields.length) drift.changed.push({ userId: desired.userId, email: found.email, fields, differences });
  }
  for (const client of input.actual) {
    if (!client.email || wanted.has(key(client.email)) || input.pending.has(key(client.email))) continue;
    const tombstoned = input.tombstoned.has(key(client.email));
    if (tombstoned || input.ours(client.email)) drift.extra.push({ email: client.email, tombstoned });
    else drift.foreign++;
  }
  return drift;
}

/** The first SAMPLE_SIZE differences of a drift, as shown to operators: the inbound's, then by kind. */
export function sampleOf(drift: NodeDrift): DriftSample[] {
  return [
    ...drift.inbound,
    ...drift.missing.map((item): DriftSample => ({ kind: 'missing', email: item.client.email })),
    ...drift.changed.flatMap((item) => item.differences),
    ...drift.extra.map((item): DriftSample => ({ kind: 'extra', email: item.email })),
  ].slice(0, SAMPLE_SIZE);
}
