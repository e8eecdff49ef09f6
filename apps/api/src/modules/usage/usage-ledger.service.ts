import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Inbound, ClientTraffic } from '@fleet/xui-client';
import { DataSource, EntityManager } from 'typeorm';
import { CrashPoints } from '../../common/background/crash-points';
import { nodeIdOfEmail } from '../assignments/panel-identity';
import { retryOnDeadlock } from '../../common/database/advisory-lock';
import { Coalescer } from '../../common/batching/coalescer';
import type { CounterReading } from './node-counters';
import { BookingResult, NodeReadings, UsageRepository } from './usage.repository';

/**
 * The traffic rows in an `inbounds/list` answer, one reading per email: of every inbound, or only a node's clients
 * when `node` is given. A panel may carry several nodes (one inbound each), and each books its own clients only:
 * those named for it (`u<user>-n<node>`) wherever they are on the panel (an inbound it used before), and the others
 * on its inbound (the operator's own, adopted ones), never clients named for another node.
 */
export function readingsOf(inbounds: Inbound[], node?: { id: number; inboundId: number | null }): CounterReading[] {
  const byEmail = new Map<string, CounterReading>();
  for (const inbound of inbounds)
    for (const row of inbound.clientStats ?? []) {
      if (!row.email) continue;
      if (node) {
        const namedFor = nodeIdOfEmail(row.email);
        if (namedFor === null ? inbound.id !== node.inboundId : namedFor !== node.id) continue;
      }
      byEmail.set(row.email, readingOf(row));
    }
  return [...byEmail.values()];
}

export function readingOf(row: ClientTraffic): CounterReading {
  const allTime = Number.isSafeInteger(row.allTime) ? row.allTime! : null;
  return {
    email: row.email,
    trafficId: row.id,
    up: Math.max(0, row.up || 0),
    down: Math.max(0, row.down || 0),
    allTime,
  };
}

/** Nodes booked in one transaction at most. */
const MAX_NODES_PER_BOOKING = 25;
/** Bookings in flight at once (a node always books in the same lane, so lanes never wait on each other's nodes). */
const LANES = 2;

/**
 * Books what panels report, exactly once. A reading is stamped with the database clock before the panel call and
 * booked afterwards under the node's lock (held for the booking only, so no connection waits on a panel), in one
 * transaction with the cursors it moves. A cursor another reader (the pass, a deletion's last reading; any replica)
 * moved after the stamp keeps that reader's booking, so an older reading is never booked over a newer one, and a
 * crash before the commit books nothing. Readings that arrive together are booked together (one transaction for
 * many nodes, each node's cursors one row), in two lanes.
 */
@Injectable()
export class UsageLedger {
  private readonly lanes = Array.from(
    { length: LANES },
    () => new Coalescer<NodeReadings, BookingResult>((batch) => this.bookAll(batch), MAX_NODES_PER_BOOKING),
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly usage: UsageRepository,
    private readonly crash: CrashPoints,
  ) {}

  /** Reads (`read`, a panel call) and books one node's counters. A failed read books nothing. */
  async collect(
    node: { id: number },
    read: () => Promise<CounterReading[]>,
    /** When the reading started, if the caller stamped it already (the pass stamps all its readings once). */
    since?: Date,
  ): Promise<BookingResult> {
    const stamp = since ?? (await this.usage.clock());
    return this.book(node.id, await read(), stamp);
  }

  /**
   * Books readings of one node started at `since` (booked with whatever other readings are waiting). `complete`:
   * the readings are all of the node's clients, so the cursors of nobody's clients missing from them go.
   */
  book(nodeId: number, readings: CounterReading[], since: Date, complete = false): Promise<BookingResult> {
    return this.lanes[nodeId % LANES].submit({ nodeId, readings, since, complete });
  }

  /** The database clock, to stamp readings taken from now on. */
  clock(): Promise<Date> {
    return this.usage.clock();
  }

  /**
   * Clients about to be created start at 0, in the caller's transaction (which writes their pending assignments); a
   * client still on the panel from an earlier stay keeps its cursor. Answers those clients' counters by `nodeId/email`.
   */
  expectNewClients(
    clients: Array<{ nodeId: number; clientEmail: string; userId: number }>,
    manager: EntityManager,
  ): Promise<Map<string, number>> {
    return this.usage.expectNewClients(clients, manager);
  }

  /** The clients are gone from their panel: their cursors go too (a client re-created later starts a new epoch). */
  async forget(nodeId: number, clientEmails: string[]): Promise<void> {
    if (!clientEmails.length) return;
    await this.withNodesLocked([nodeId], (manager) => this.usage.forget(nodeId, clientEmails, manager));
  }

  /** The counters last booked for these clients (up + down) by email, for their `totalGB`. */
  countersOf(nodeId: number, clientEmails: string[]): Promise<Map<string, number>> {
    return this.usage.countersOn(nodeId, clientEmails);
  }

  /** One transaction holding these nodes' counter locks; retried when it loses a deadlock. */
  private withNodesLocked<T>(nodeIds: number[], work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return retryOnDeadlock(() =>
      this.dataSource.transaction(async (manager) => {
        await this.usage.lockNodes(nodeIds, manager);
        return work(manager);
      }),
    );
  }

  /** One transaction per round in which each node appears once (two readers of one node wait for each other). */
  private async bookAll(batch: NodeReadings[]): Promise<BookingResult[]> {
    const results: BookingResult[] = new Array(batch.length);
    let pending = batch.map((item, index) => ({ item, index }));
    while (pending.length) {
      const seen = new Set<number>();
      const round = pending.filter(({ item }) => !seen.has(item.nodeId) && seen.add(item.nodeId));
      pending = pending.filter((entry) => !round.includes(entry));
      const booked = await this.withNodesLocked(
        round.map(({ item }) => item.nodeId),
        async (manager) => {
          const booked = await this.usage.book(
            round.map(({ item }) => item),
            manager,
          );
          this.crash.reach('usage:booking'); // booked, not committed
          return booked;
        },
      );
      round.forEach(({ index }, i) => (results[index] = booked[i]));
    }
    return results;
  }
}
