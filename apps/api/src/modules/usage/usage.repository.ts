import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { sqlArray } from '../../common/database/sql-array';
import {
  CounterReading,
  countersOfCursor,
  CursorField as F,
  decodeCursors,
  moveCursors,
  newCursor,
  NodeCursors,
  storedCursors,
} from './node-counters';

/** One node's readings to book, stamped when they were started. */
export interface NodeReadings {
  nodeId: number;
  readings: CounterReading[];
  /** A cursor another reader moved after this keeps its (newer) reading. */
  since: Date;
  /** The readings are all of the node's clients (a full list, not a few clients' last counters). */
  complete: boolean;
}

export interface BookingResult {
  /** Bytes newly booked (as the panel counted them, before the multiplier). */
  up: number;
  down: number;
  /** Cursors moved (clients whose counters moved, or seen for the first time), all in the node's one row. */
  written: number;
  /** Users whose usage grew on this node: their hourly bucket and period total. */
  users: number;
  /** Users whose counted traffic reached their limit while their status still lets them in (also noted in
   * `access_rechecks`, in the same transaction, for the access machinery). */
  overLimit: number[];
  /** Users whose counter on this node went back (an operator reset, a restore): their `totalGB` is stale. */
  counterReset: number[];
}

/** Transaction-scoped advisory lock class for one node's counters (the second key is the node id). */
const NODE_COUNTERS_LOCK = 7_300_100;

/**
 * The ledger's queries: cursors, and booking readings into hourly buckets, node totals and users' period totals.
 * Reading the history back is `UsageHistoryRepository`'s.
 */
@Injectable()
export class UsageRepository {
  /** The cursors this replica last saved or read, by node, at their row's version. */
  private readonly cached = new Map<number, { version: string; cursors: NodeCursors }>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The database's clock: readings are stamped with it, so replicas' clocks never matter. */
  async clock(): Promise<Date> {
    const [{ now }] = await this.dataSource.query('SELECT clock_timestamp() AS now');
    return new Date(now);
  }

  /** Serializes the bookings of these nodes' counters (taken in id order; held for the booking only). */
  async lockNodes(nodeIds: number[], manager: EntityManager): Promise<void> {
    await manager.query(
      `SELECT pg_advisory_xact_lock($1, id) FROM (SELECT DISTINCT unnest($2::int[]) AS id ORDER BY 1) ids`,
      [NODE_COUNTERS_LOCK, nodeIds],
    );
  }

  /**
   * Books the readings of several nodes, whose cursors the caller locked (`lockNodes`): per client the delta against
   * its cursor (`moveCursors`), the cursors moved, the deltas added to the nodes' hourly totals and, × the node's
   * `usage_multiplier`, to their users' period totals and hourly buckets, every user's at every booking (one
   * statement for all). Answers one result per node, in order.
   */
  async book(batch: NodeReadings[], manager: EntityManager): Promise<BookingResult[]> {
    const nodes = await this.cursorsOf(
      batch.map((entry) => entry.nodeId),
      manager,
    );
    const owners = await this.ownersOf(
      batch.flatMap(({ nodeId, readings }) =>
        readings
          .filter((reading) => !nodes.get(nodeId)!.cursors.has(reading.email))
          .map((reading) => ({ nodeId, email: reading.email })),
      ),
      manager,
    );
    const credits: Credit[] = [];
    const totals: NodeTotal[] = [];
    const usersOn = new Map<number, Set<number>>();
    const moves = batch.map(({ nodeId, readings, since, complete }) => {
      const node = nodes.get(nodeId)!;
      const moved = moveCursors(node.cursors, readings, since.getTime(), node.now, owners.get(nodeId) ?? new Map(), {
        complete,
      });
      const total: NodeTotal = { nodeId, up: 0, down: 0 };
      const users = new Set<number>();
      for (const { cursor, up, down } of moved.deltas) {
        total.up += up;
        total.down += down;
        const userId = cursor[F.userId];
        if (userId === null) continue; // nobody's client: the node's total only
        credits.push({ userId, nodeId, up, down });
        users.add(userId);
      }
      if (total.up + total.down > 0) totals.push(total);
      usersOn.set(nodeId, users);
      node.changed ||= moved.moved + moved.dropped > 0;
      return moved;
    });
    await this.saveCursors(nodes.values(), manager);
    // (every node of a booking is read at one database clock: the hour the bytes are booked in)
    const at = nodes.values().next().value!.now;
    const overLimit = new Set(await this.credit(credits, totals, at, manager));
    return batch.map(({ nodeId }, i) => {
      const users = usersOn.get(nodeId)!;
      const total = totals.find((entry) => entry.nodeId === nodeId);
      return {
        up: total?.up ?? 0,
        down: total?.down ?? 0,
        written: moves[i].moved,
        users: users.size,
        overLimit: [...users].filter((userId) => overLimit.has(userId)),
        counterReset: moves[i].counterReset,
      };
    });
  }

  /**
   * Clients we are about to create start at 0: their first reading is all new traffic. A client that is still on the
   * panel from an earlier stay keeps its cursor; answers those clients' counters (up + down) by `nodeId/email`.
   */
  async expectNewClients(
    clients: Array<{ nodeId: number; clientEmail: string; userId: number }>,
    manager: EntityManager,
  ): Promise<Map<string, number>> {
    const kept = new Map<string, number>();
    if (!clients.length) return kept;
    const nodeIds = [...new Set(clients.map((client) => client.nodeId))];
    await this.lockNodes(nodeIds, manager);
    const nodes = await this.cursorsOf(nodeIds, manager);
    for (const { nodeId, clientEmail, userId } of clients) {
      const node = nodes.get(nodeId)!;
      const cursor = node.cursors.get(clientEmail);
      if (cursor && countersOfCursor(cursor) > 0) kept.set(`${nodeId}/${clientEmail}`, countersOfCursor(cursor));
      if (cursor) continue;
      node.cursors.set(clientEmail, newCursor(userId, node.now));
      node.changed = true;
    }
    await this.saveCursors(nodes.values(), manager);
    return kept;
  }

  /** The clients left their panel (their node is locked): their cursors go. */
  async forget(nodeId: number, clientEmails: string[], manager: EntityManager): Promise<void> {
    const node = (await this.cursorsOf([nodeId], manager)).get(nodeId)!;
    for (const email of clientEmails) if (node.cursors.delete(email)) node.changed = true;
    await this.saveCursors([node], manager);
  }

  /** The counters last booked per client email on a node (up + down), for the clients' `totalGB`. */
  async countersOn(nodeId: number, emails: string[], manager?: EntityManager): Promise<Map<string, number>> {
    if (!emails.length) return new Map();
    const { cursors } = (await this.cursorsOf([nodeId], manager ?? this.dataSource.manager, true)).get(nodeId)!;
    return countersOf(cursors, emails);
  }

  /**
   * The nodes' cursors, read at the database's clock. The caller holds the nodes' locks and saves them (`saveCursors`)
   * in the same transaction, unless it only reads (`readOnly`).
   */
  private async cursorsOf(
    nodeIds: number[],
    manager: EntityManager,
    readOnly = false,
  ): Promise<Map<number, NodeState>> {
    // Cursors this replica saved are reused while the row is still that version (taken out while in use: a
    // transaction that rolls back after changing them leaves the row at another version, or none in memory).
    const cached = new Map<number, { version: string; cursors: NodeCursors }>();
    for (const id of readOnly ? [] : nodeIds) {
      const entry = this.cached.get(id);
      if (entry) cached.set(id, entry);
      this.cached.delete(id);
    }
    const rows: Array<{ node_id: number; version: string | null; clients: string | null; now: Date }> =
      await manager.query(
        `SELECT w.id AS node_id, c.xmin::text AS version, t.now,
                CASE WHEN c.xmin::text IS DISTINCT FROM w.cached THEN c.clients::text END AS clients
           FROM (SELECT clock_timestamp() AS now) t
          CROSS JOIN unnest($1::int[], $2::text[]) AS w(id, cached)
           LEFT JOIN usage_node_cursors c ON c.node_id = w.id`,
        [nodeIds, nodeIds.map((id) => cached.get(id)?.version ?? null)],
      );
    return new Map(
      rows.map((row) => [
        row.node_id,
        {
          nodeId: row.node_id,
          cursors:
            row.version !== null && row.version === cached.get(row.node_id)?.version
              ? cached.get(row.node_id)!.cursors
              : decodeCursors(row.clients),
          version: row.version,
          now: row.now.getTime(),
          changed: false,
        },
      ]),
    );
  }

  /** Writes the nodes' cursors that changed, and keeps them all in memory with the row version they are at. */
  private async saveCursors(nodes: Iterable<NodeState>, manager: EntityManager): Promise<void> {
    const all = [...nodes];
    const changed = all.filter((node) => node.changed);
    if (changed.length) {
      // xmin is the id of the transaction that wrote the row version: one that rolls back never becomes visible.
      // One parameter per node's clients, passed as it is (an array parameter would be escaped, a JSON document of
      // all the nodes parsed once more per field).
      const rows = changed.map((_, i) => `($${2 * i + 1}::int, $${2 * i + 2}::json)`);
      const saved: Array<{ node_id: number; version: string }> = await manager.query(
        `INSERT INTO usage_node_cursors AS c (node_id, clients) VALUES ${rows.join(', ')}
         ON CONFLICT (node_id) DO UPDATE SET clients = EXCLUDED.clients
         RETURNING c.node_id, c.xmin::text AS version`,
        changed.flatMap((node) => [node.nodeId, JSON.stringify(storedCursors(node.cursors))]),
      );
      const versions = new Map(saved.map((row) => [row.node_id, row.version]));
      for (const node of changed) node.version = versions.get(node.nodeId)!;
    }
    for (const node of all)
      if (node.version !== null) this.cached.set(node.nodeId, { version: node.version, cursors: node.cursors });
  }

  /** Who owns clients seen on a node for the first time (adopted clients keep their own emails). */
  private async ownersOf(
    clients: Array<{ nodeId: number; email: string }>,
    manager: EntityManager,
  ): Promise<Map<number, Map<string, number>>> {
    const owners = new Map<number, Map<string, number>>();
    if (!clients.length) return owners;
    const rows: Array<{ node_id: number; email: string; user_id: number }> = await manager.query(
      `SELECT DISTINCT ON (w.node_id, w.email) w.node_id, w.email, a.user_id
         FROM unnest($1::int[], $2::varchar[]) AS w(node_id, email)
         JOIN assignments a ON a.node_id = w.node_id AND lower(a.client_email) = lower(w.email)
        ORDER BY w.node_id, w.email, a.id DESC`,
      [clients.map((client) => client.nodeId), clients.map((client) => client.email)],
    );
    for (const row of rows) {
      if (!owners.has(row.node_id)) owners.set(row.node_id, new Map());
      owners.get(row.node_id)!.set(row.email, row.user_id);
    }
    return owners;
  }

  /**
   * Adds the credits to their users' hourly buckets and (× the node's multiplier) period totals, and the nodes'
   * totals to their hourly buckets, all in the hour of `at`. Users whose counted traffic reached their limit while
   * their status still lets them in are answered, and noted in `access_rechecks` in the same transaction for the
   * access machinery.
   */
  private async credit(credits: Credit[], totals: NodeTotal[], at: number, manager: EntityManager): Promise<number[]> {
    if (!credits.length && !totals.length) return [];
    const [{ over_limit }]: Array<{ over_limit: number[] }> = await manager.query(
      `WITH credit AS (
         SELECT user_id, node_id, sum(up)::bigint AS up, sum(down)::bigint AS down
           FROM unnest($1::int[], $2::int[], $3::bigint[], $4::bigint[]) AS c(user_id, node_id, up, down)
          GROUP BY 1, 2
       ),
       -- Existing rows are updated in place (cheaper than INSERT … ON CONFLICT when most rows exist).
       hour_added AS (
         UPDATE usage_hourly h SET up = h.up + c.up, down = h.down + c.down
           FROM credit c
          WHERE h.user_id = c.user_id AND h.hour = date_trunc('hour', to_timestamp($5::float8 / 1000))
            AND h.node_id = c.node_id
         RETURNING h.user_id, h.node_id
       ),
       hour_opened AS (
         INSERT INTO usage_hourly AS h (user_id, hour, node_id, up, down)
         SELECT c.user_id, date_trunc('hour', to_timestamp($5::float8 / 1000)), c.node_id, c.up, c.down FROM credit c
          WHERE NOT EXISTS (SELECT 1 FROM hour_added a WHERE a.user_id = c.user_id AND a.node_id = c.node_id)
         ON CONFLICT (user_id, hour, node_id) DO UPDATE SET up = h.up + EXCLUDED.up, down = h.down + EXCLUDED.down
       ),
       node_total AS (
         INSERT INTO node_usage_hourly AS n (node_id, hour, up, down)
         SELECT t.node_id, date_trunc('hour', to_timestamp($5::float8 / 1000)), t.up, t.down
           FROM unnest($6::int[], $7::bigint[], $8::bigint[]) AS t(node_id, up, down)
         ON CONFLICT (node_id, hour) DO UPDATE SET up = n.up + EXCLUDED.up, down = n.down + EXCLUDED.down
       ),
       -- (whole bytes through nodes without a multiplier, the usual case, are not weighed in numeric)
       per_user AS (
         SELECT c.user_id,
                sum(CASE WHEN m.usage_multiplier = 1 THEN c.up ELSE round(c.up * m.usage_multiplier) END)::bigint AS up,
                sum(CASE WHEN m.usage_multiplier = 1 THEN c.down ELSE round(c.down * m.usage_multiplier) END)::bigint
                  AS down
           FROM credit c JOIN nodes m ON m.id = c.node_id
          GROUP BY c.user_id
       ),
       -- Two lanes booking the same users (a move under way) may deadlock, rarely: the booking is retried.
       counted AS (
         UPDATE vpn_users u
            SET used_up_bytes = u.used_up_bytes + p.up, used_bytes = u.used_bytes + p.up + p.down,
                online_at = GREATEST(u.online_at, to_timestamp($5::float8 / 1000))
           FROM per_user p WHERE u.id = p.user_id AND p.up + p.down > 0
         RETURNING u.id, u.status, u.traffic_limit_bytes, u.used_bytes
       ),
       over_limit AS (
         SELECT id FROM counted
          WHERE status IN ('active', 'on_hold') AND traffic_limit_bytes > 0 AND used_bytes >= traffic_limit_bytes
       ),
       noted AS (INSERT INTO access_rechecks (user_id) SELECT id FROM over_limit ON CONFLICT DO NOTHING)
       SELECT COALESCE(json_agg(id), '[]') AS over_limit FROM over_limit`,
      [
        sqlArray(credits.map((credit) => credit.userId)),
        sqlArray(credits.map((credit) => credit.nodeId)),
        sqlArray(credits.map((credit) => credit.up)),
        sqlArray(credits.map((credit) => credit.down)),
        at,
        sqlArray(totals.map((total) => total.nodeId)),
        sqlArray(totals.map((total) => total.up)),
        sqlArray(totals.map((total) => total.down)),
      ],
    );
    return over_limit;
  }
}

/** One node's cursors as a booking works on them. */
interface NodeState {
  nodeId: number;
  cursors: NodeCursors;
  /** The row's version (its xmin), null when the node has no row yet. */
  version: string | null;
  /** The database clock when the cursors were read (ms). */
  now: number;
  changed: boolean;
}

/** Bytes a user moved on a node, for their hourly bucket and period total. */
interface Credit {
  userId: number;
  nodeId: number;
  up: number;
  down: number;
}

interface NodeTotal {
  nodeId: number;
  up: number;
  down: number;
}

function countersOf(cursors: NodeCursors, emails: string[]): Map<string, number> {
  const counters = new Map<string, number>();
  for (const email of emails) {
    const cursor = cursors.get(email);
    if (cursor) counters.set(email, countersOfCursor(cursor));
  }
  return counters;
}
