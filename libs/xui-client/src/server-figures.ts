import type { NodeServerFigures } from '@fleet/contract';

/** What a panel's `server/status` says of its host (spec §8), as typed figures; see `parseServerStatus`. */
export type ServerFigures = Omit<NodeServerFigures, 'onlineClients' | 'at'>;

/** Largest byte count or byte rate taken as real: 2^53 − 1 (8 PiB), exact as a number and within a bigint. */
const MAX_BYTES = Number.MAX_SAFE_INTEGER;
/** A century: a host uptime beyond it is not a measurement. */
const MAX_UPTIME_SECONDS = 100 * 365.25 * 86_400;
/** Load averages of even the largest hosts stay far below this. */
const MAX_LOAD = 100_000;
/** Connection counts fit a 32-bit integer column. */
const MAX_CONNECTIONS = 2_147_483_647;

/**
 * Reads the `obj` of a `server/status` answer. Tolerant: a figure the panel did not send (older panels), sent as
 * another type (a string, null), or sent outside what any machine reports (negative, not finite, a CPU above 100 %,
 * 1e300 bytes) is null. Never throws, never yields NaN.
 */
export function parseServerStatus(status: unknown): ServerFigures {
  const root = record(status);
  const mem = record(root['mem']);
  const disk = record(root['disk']);
  const xray = record(root['xray']);
  const netIO = record(root['netIO']);
  return {
    cpuPercent: inRange(root['cpu'], 0, 100, 2),
    memory: { used: bytes(mem['current']), total: bytes(mem['total']) },
    disk: { used: bytes(disk['current']), total: bytes(disk['total']) },
    xray: { state: word(xray['state']), version: version(xray['version']) },
    uptimeSeconds: inRange(root['uptime'], 0, MAX_UPTIME_SECONDS, 0),
    load: loads(root['loads']),
    net: { upBytesPerSecond: bytes(netIO['up']), downBytesPerSecond: bytes(netIO['down']) },
    tcpConnections: inRange(root['tcpCount'], 0, MAX_CONNECTIONS, 0),
    udpConnections: inRange(root['udpCount'], 0, MAX_CONNECTIONS, 0),
  };
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A finite number within [min, max], rounded to `decimals`; anything else is null. */
function inRange(value: unknown, min: number, max: number, decimals: number): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) return null;
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale + 0; // + 0: never -0
}

function bytes(value: unknown): number | null {
  return inRange(value, 0, MAX_BYTES, 0);
}

function loads(value: unknown): number[] | null {
  if (!Array.isArray(value) || value.length < 3) return null;
  const [one, five, fifteen] = value.slice(0, 3).map((load) => inRange(load, 0, MAX_LOAD, 2));
  return one === null || five === null || fifteen === null ? null : [one, five, fifteen];
}

/** Xray's state: one short lower-case word (`running`, `stop`, `error`). */
function word(value: unknown): string | null {
  return typeof value === 'string' && /^[a-z]{1,16}$/.test(value) ? value : null;
}

/** A version as Xray prints it (`25.10.15`, `v1.8.24`), at most 32 characters. */
function version(value: unknown): string | null {
  return typeof value === 'string' && /^[\w.+-]{1,32}$/.test(value) ? value : null;
}

/** Xray's error message in a `server/status` answer ('' when it has none or the answer has no such field). */
export function xrayErrorMessage(status: unknown): string {
  const message = record(record(status)['xray'])['errorMsg'];
  return typeof message === 'string' ? message : '';
}
