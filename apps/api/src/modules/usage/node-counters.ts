import type { CounterReading } from './usage.repository';

/** One client's cursor on a node: the counters last booked, and the bytes booked but not yet settled. */
export interface ClientCursor {
  userId: number | null;
  /** The panel's traffic row id; null for a client we are creating (its counters start at 0). */
  trafficId: number | null;
  up: number;
  down: number;
  /** The row's lifetime counter when the panel keeps one that covers the counters. */
  allTime: number | null;
  /** Database clock (ms) when the cursor last moved: a reading started earlier never moves it back. */
  movedAt: number;
  /** The user has a traffic limit: their bytes reach their buckets and total at every booking. */
  counted: boolean;
  /** Booked bytes of a user without a limit, waiting to be settled into their buckets and total. */
  pendingUp: number;
  pendingDown: number;
}

/** Every cursor of one node, stored as one row (one write per node and booking, whatever its client count). */
export type NodeCursors = Map<string, ClientCursor>;

/** A positional array per client keeps the stored row small. */
type StoredCursor = [number | null, number | null, number, number, number | null, number, 0 | 1, number, number];

export function decodeCursors(json: string | null): NodeCursors {
  const cursors: NodeCursors = new Map();
  if (!json) return cursors;
  for (const [
    email,
    [userId, trafficId, up, down, allTime, movedAt, counted, pendingUp, pendingDown],
  ] of Object.entries(JSON.parse(json) as Record<string, StoredCursor>))
    cursors.set(email, {
      userId,
      trafficId,
      up,
      down,
      allTime,
      movedAt,
      counted: counted === 1,
      pendingUp,
      pendingDown,
    });
  return cursors;
}

export function encodeCursors(cursors: NodeCursors): string {
  const stored: Record<string, StoredCursor> = {};
  for (const [email, c] of cursors)
    stored[email] = [
      c.userId,
      c.trafficId,
      c.up,
      c.down,
      c.allTime,
      c.movedAt,
      c.counted ? 1 : 0,
      c.pendingUp,
      c.pendingDown,
    ];
  return JSON.stringify(stored);
}

export function newCursor(userId: number | null, counted: boolean, movedAt: number): ClientCursor {
  return { userId, trafficId: null, up: 0, down: 0, allTime: null, movedAt, counted, pendingUp: 0, pendingDown: 0 };
}

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
  /** Users whose counter on the node went back (an operator reset, a restore): their `totalGB` is stale. */
  counterReset: number[];
}

/**
 * Moves the cursors to the readings (started at `since`, booked at `now`) and answers what each client moved. A
 * counter that went back, or a new traffic row (a re-created client), starts a new epoch: never negative, never the
 * old total again; the lifetime counter, which resets leave alone, supplies what a reset erased before we read it. A
 * client seen for the first time is a baseline (what it carried before we knew it is not booked), owned by
 * `owners`' user. A cursor another reader moved after `since` keeps that (newer) reading.
 */
export function moveCursors(
  cursors: NodeCursors,
  readings: CounterReading[],
  since: number,
  now: number,
  owners: ReadonlyMap<string, { userId: number; counted: boolean }>,
): CursorMoves {
  const result: CursorMoves = { deltas: [], moved: 0, counterReset: [] };
  const resetUsers = new Set<number>();
  for (const reading of readings) {
    // trusted only when it covers the counters (an upgraded panel backfills it once)
    const allTime = reading.allTime !== null && reading.allTime >= reading.up + reading.down ? reading.allTime : null;
    const was = cursors.get(reading.email);
    if (!was) {
      const owner = owners.get(reading.email);
      cursors.set(reading.email, {
        ...newCursor(owner?.userId ?? null, owner?.counted ?? false, now),
        trafficId: reading.trafficId,
        up: reading.up,
        down: reading.down,
        allTime,
      });
      result.moved++;
      continue;
    }
    if (was.movedAt >= since) continue;
    if (
      was.trafficId === reading.trafficId &&
      was.up === reading.up &&
      was.down === reading.down &&
      was.allTime === allTime
    )
      continue;
    const newRow = was.trafficId !== reading.trafficId;
    const wentBack = !newRow && (reading.up < was.up || reading.down < was.down);
    const seenUp = newRow || wentBack ? reading.up : reading.up - was.up;
    const seenDown = newRow || wentBack ? reading.down : reading.down - was.down;
    const lifetime = newRow
      ? (allTime ?? reading.up + reading.down)
      : allTime !== null && was.allTime !== null && allTime >= was.allTime
        ? allTime - was.allTime
        : 0;
    // Bytes the lifetime counter saw that the counters no longer show, split like the client's earlier traffic.
    const forgotten = Math.max(lifetime - seenUp - seenDown, 0);
    const upShare = was.up + was.down > 0 ? was.up / (was.up + was.down) : 0.5;
    const forgottenUp = Math.round(forgotten * upShare);
    if (was.trafficId !== null && (newRow || wentBack) && was.userId !== null) resetUsers.add(was.userId);
    Object.assign(was, { trafficId: reading.trafficId, up: reading.up, down: reading.down, allTime, movedAt: now });
    result.moved++;
    const up = seenUp + forgottenUp;
    const down = seenDown + forgotten - forgottenUp;
    if (up + down > 0) result.deltas.push({ email: reading.email, cursor: was, up, down });
  }
  result.counterReset = [...resetUsers];
  return result;
}
