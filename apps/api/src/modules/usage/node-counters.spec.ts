import {
  ClientCursor,
  CursorField,
  decodeCursors,
  moveCursors,
  newCursor,
  NodeCursors,
  storedCursors,
} from './node-counters';
import type { CounterReading } from './node-counters';

const reading = (email: string, up: number, down: number, trafficId = 1, allTime: number | null = null) =>
  ({ email, trafficId, up, down, allTime }) as CounterReading;
const owners = new Map([['a', 7]]);

type Fields = { [K in keyof typeof CursorField]: ClientCursor[(typeof CursorField)[K]] };

function cursorWith(userId: number | null, fields: Partial<Fields>): ClientCursor {
  const cursor = newCursor(userId, 100);
  cursor[CursorField.trafficId] = 1;
  for (const [name, value] of Object.entries(fields)) cursor[CursorField[name as keyof Fields]] = value as never;
  return cursor;
}

/** A cursor's fields by name, to compare. */
function fieldsOf(cursor: ClientCursor | undefined): Fields | undefined {
  if (!cursor) return undefined;
  return Object.fromEntries(Object.entries(CursorField).map(([name, at]) => [name, cursor[at]])) as Fields;
}

function cursorsWith(email: string, fields: Partial<Fields>): NodeCursors {
  return new Map([[email, cursorWith(7, fields)]]);
}

describe('moveCursors', () => {
  it('takes a client seen for the first time as a baseline, owned by its assignment', () => {
    const cursors: NodeCursors = new Map();
    const moved = moveCursors(cursors, [reading('a', 500, 900, 3, 1400)], 200, 300, owners);
    expect(moved).toEqual({ deltas: [], moved: 1, dropped: 0, counterReset: [] });
    expect(fieldsOf(cursors.get('a'))).toMatchObject({
      userId: 7,
      trafficId: 3,
      up: 500,
      down: 900,
      movedAt: 300,
    });
    expect(moveCursors(new Map(), [reading('b', 1, 1)], 200, 300, owners).moved).toBe(1); // nobody's client
  });

  it('books what the counters grew by, and nothing when they did not move', () => {
    const cursors = cursorsWith('a', { up: 100, down: 200 });
    const moved = moveCursors(cursors, [reading('a', 150, 260)], 200, 300, owners);
    expect(moved.deltas.map(({ up, down }) => [up, down])).toEqual([[50, 60]]);
    expect(fieldsOf(cursors.get('a'))).toMatchObject({ up: 150, down: 260, movedAt: 300 });
    expect(moveCursors(cursors, [reading('a', 150, 260)], 400, 500, owners)).toEqual({
      deltas: [],
      moved: 0,
      dropped: 0,
      counterReset: [],
    });
  });

  it('never books a reading older than the cursor', () => {
    const cursors = cursorsWith('a', { up: 100, down: 200, movedAt: 250 });
    expect(moveCursors(cursors, [reading('a', 50, 50)], 250, 300, owners).moved).toBe(0);
    expect(fieldsOf(cursors.get('a'))).toMatchObject({ up: 100, down: 200 });
  });

  it('starts a new epoch when a counter went back: the new value, never negative, and the user is named', () => {
    const cursors = cursorsWith('a', { up: 1000, down: 3000 });
    const moved = moveCursors(cursors, [reading('a', 10, 3500)], 200, 300, owners);
    expect(moved.deltas.map(({ up, down }) => [up, down])).toEqual([[10, 3500]]);
    expect(moved.counterReset).toEqual([7]);
  });

  it('counts a new traffic row from zero, and a client we created (no row yet) without naming a reset', () => {
    const recreated = cursorsWith('a', { up: 1000, down: 3000, trafficId: 1 });
    const moved = moveCursors(recreated, [reading('a', 40, 60, 2)], 200, 300, owners);
    expect(moved.deltas.map(({ up, down }) => [up, down])).toEqual([[40, 60]]);
    expect(moved.counterReset).toEqual([7]);
    const created = cursorsWith('a', { trafficId: null });
    const first = moveCursors(created, [reading('a', 40, 60, 9, 100)], 200, 300, owners);
    expect(first.deltas.map(({ up, down }) => [up, down])).toEqual([[40, 60]]);
    expect(first.counterReset).toEqual([]);
  });

  it('recovers from the lifetime counter what a reset erased before it was read, split like earlier traffic', () => {
    const cursors = cursorsWith('a', { up: 1000, down: 3000, allTime: 4000 });
    // 2000 more bytes, then a reset, then 100 up / 300 down: the lifetime counter grew by 2400
    const moved = moveCursors(cursors, [reading('a', 100, 300, 1, 6400)], 200, 300, owners);
    expect(moved.deltas.map(({ up, down }) => [up, down])).toEqual([[100 + 500, 300 + 1500]]);
    // a lifetime counter smaller than the counters is not trusted
    const untrusted = cursorsWith('a', { up: 10, down: 10 });
    expect(moveCursors(untrusted, [reading('a', 20, 20, 1, 5)], 200, 300, owners).deltas[0]).toMatchObject({
      up: 10,
      down: 10,
    });
  });

  it('drops, after a complete reading, the cursors of nobody’s clients that are no longer the node’s', () => {
    const cursors: NodeCursors = new Map([
      ['a', cursorWith(7, { up: 1, down: 1 })],
      ['gone', cursorWith(null, { up: 5, down: 5 })], // the operator's client, deleted (or another node's)
      ['being-made', newCursor(8, 100)], // a client we are creating: not on the panel yet
      ['newer', cursorWith(null, { movedAt: 250 })], // read by a reader that started after this one
    ]);
    expect(moveCursors(new Map(cursors), [reading('a', 1, 1)], 200, 300, owners).dropped).toBe(0); // a few clients
    const moved = moveCursors(cursors, [reading('a', 1, 1)], 200, 300, owners, { complete: true });
    expect(moved.dropped).toBe(1);
    expect([...cursors.keys()]).toEqual(['a', 'being-made', 'newer']);
  });
});

describe('cursor rows', () => {
  it('encode and decode to the same cursors', () => {
    const cursors: NodeCursors = new Map([
      ['a', cursorWith(7, { trafficId: 3, up: 1, down: 2, allTime: 3 })],
      ['b', newCursor(null, 0)],
      ['__proto__', newCursor(8, 0)], // a panel may name a client anything
    ]);
    const stored = JSON.stringify(storedCursors(cursors));
    expect(decodeCursors(stored)).toEqual(cursors);
    expect(JSON.parse(stored).a).toEqual([7, 3, 1, 2, 3, 100]);
    expect(decodeCursors(null)).toEqual(new Map());
  });
});
