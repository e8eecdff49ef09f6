/** A panel's counters for one client, as its traffic row shows them. */
export interface CounterReading {
  email: string;
  /** The traffic row's id: a client re-created under the same email gets a new one. */
  trafficId: number;
  up: number;
  down: number;
  /** The row's lifetime counter (v2.6.8+; null when the panel has none): a traffic reset leaves it alone. */
  allTime: number | null;
}

/**
 * One client's cursor on a node, stored positionally (a node's row holds one per client, read and written at every
 * booking, so it stays small and is used as parsed): the counters last booked. Fields by `CursorField`.
 */
export type ClientCursor = [
  userId: number | null,
  /** The panel's traffic row id; null for a client we are creating (its counters start at 0). */
  trafficId: number | null,
  up: number,
  down: number,
  /** The row's lifetime counter when the panel keeps one that covers the counters. */
  allTime: number | null,
  /** Database clock (ms) when the cursor last moved: a reading started earlier never moves it back. */
  movedAt: number,
];

export const CursorField = {
  userId: 0,
  trafficId: 1,
  up: 2,
  down: 3,
  allTime: 4,
  movedAt: 5,
} as const;
const F = CursorField;

/** Every cursor of one node by client email, stored as one row (one write per node and booking). */
export type NodeCursors = Map<string, ClientCursor>;

export function decodeCursors(json: string | null): NodeCursors {
  const cursors: NodeCursors = new Map();
  if (!json) return cursors;
  const stored = JSON.parse(json) as Record<string, ClientCursor>;
  for (const email in stored) cursors.set(email, stored[email]);
  return cursors;
}

/** The stored form (JSON.stringify it): an object by email without a prototype, whatever a panel names its clients. */
export function storedCursors(cursors: NodeCursors): Record<string, ClientCursor> {
  const stored: Record<string, ClientCursor> = Object.create(null);
  for (const [email, cursor] of cursors) stored[email] = cursor;
  return stored;
}

export function newCursor(userId: number | null, movedAt: number): ClientCursor {
  return [userId, null, 0, 0, null, movedAt];
}

/** The counters last booked (up + down), for the client's `totalGB`. */
export const countersOfCursor = (cursor: ClientCursor) => cursor[F.up] + cursor[F.down];

/** Bytes one client moved since its cursor, as booked. */
export interface ClientDelta {
  email: string;
  cursor: ClientCursor;
  up: number;
  down: number;
}

export interface CursorMoves {
  deltas: ClientDelta[];
  /** Cursors moved (clients whose counters changed, or seen for the first time). */
  moved: number;
  /** Cursors of nobody's clients that are no longer the node's, dropped. */
  dropped: number;
  /** Users whose counter on the node went back (an operator reset, a restore): their `totalGB` is stale. */
  counterReset: number[];
}

/**
 * Moves the cursors to the readings (started at `since`, booked at `now`) and answers what each client moved. A
 * counter that went back, or a new traffic row (a re-created client), starts a new epoch: never negative, never the
 * old total again; the lifetime counter, which resets leave alone, supplies what a reset erased before we read it. A
 * client seen for the first time is a baseline (what it carried before we knew it is not booked), owned by
 * `owners`' user. A cursor another reader moved after `since` keeps that (newer) reading. When the readings are
 * `complete` (all of the node's clients), cursors of nobody's clients missing from them go: such a client left the
 * panel or is another node's, and if it is the node's again later it starts from a baseline, not an old count.
 */
export function moveCursors(
  cursors: NodeCursors,
  readings: CounterReading[],
  since: number,
  now: number,
  owners: ReadonlyMap<string, number>,
  { complete = false } = {},
): CursorMoves {
  const result: CursorMoves = { deltas: [], moved: 0, dropped: 0, counterReset: [] };
  const resetUsers = new Set<number>();
  for (const reading of readings) {
    // trusted only when it covers the counters (an upgraded panel backfills it once)
    const allTime = reading.allTime !== null && reading.allTime >= reading.up + reading.down ? reading.allTime : null;
    const was = cursors.get(reading.email);
    if (!was) {
      const cursor = newCursor(owners.get(reading.email) ?? null, now);
      cursor[F.trafficId] = reading.trafficId;
      cursor[F.up] = reading.up;
      cursor[F.down] = reading.down;
      cursor[F.allTime] = allTime;
      cursors.set(reading.email, cursor);
      result.moved++;
      continue;
    }
    if (was[F.movedAt] >= since) continue;
    const [userId, trafficId, wasUp, wasDown, wasAllTime] = was;
    if (trafficId === reading.trafficId && wasUp === reading.up && wasDown === reading.down && wasAllTime === allTime)
      continue;
    const newRow = trafficId !== reading.trafficId;
    const wentBack = !newRow && (reading.up < wasUp || reading.down < wasDown);
    const seenUp = newRow || wentBack ? reading.up : reading.up - wasUp;
    const seenDown = newRow || wentBack ? reading.down : reading.down - wasDown;
    const lifetime = newRow
      ? (allTime ?? reading.up + reading.down)
      : allTime !== null && wasAllTime !== null && allTime >= wasAllTime
        ? allTime - wasAllTime
        : 0;
    // Bytes the lifetime counter saw that the counters no longer show, split like the client's earlier traffic.
    const forgotten = Math.max(lifetime - seenUp - seenDown, 0);
    const upShare = wasUp + wasDown > 0 ? wasUp / (wasUp + wasDown) : 0.5;
    const forgottenUp = Math.round(forgotten * upShare);
    if (trafficId !== null && (newRow || wentBack) && userId !== null) resetUsers.add(userId);
    was[F.trafficId] = reading.trafficId;
    was[F.up] = reading.up;
    was[F.down] = reading.down;
    was[F.allTime] = allTime;
    was[F.movedAt] = now;
    result.moved++;
    const up = seenUp + forgottenUp;
    const down = seenDown + forgotten - forgottenUp;
    if (up + down > 0) result.deltas.push({ email: reading.email, cursor: was, up, down });
  }
  result.counterReset = [...resetUsers];
  // (every cursor has a reading in the usual case: nothing to look for)
  if (complete && cursors.size > readings.length) {
    const read = new Set(readings.map((reading) => reading.email));
    for (const [email, cursor] of cursors)
      if (cursor[F.userId] === null && cursor[F.movedAt] < since && !read.has(email)) {
        cursors.delete(email);
        result.dropped++;
      }
  }
  return result;
}
