import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Inbound, ClientTraffic } from '@fleet/xui-client';
import { DataSource } from 'typeorm';
import { BookingResult, CounterReading, UsageRepository } from './usage.repository';

/** The traffic rows of every inbound in an `inbounds/list` answer, one reading per email. */
export function readingsOf(inbounds: Inbound[]): CounterReading[] {
  const byEmail = new Map<string, CounterReading>();
  for (const inbound of inbounds)
    for (const row of inbound.clientStats ?? []) if (row.email) byEmail.set(row.email, readingOf(row));
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

/**
 * Books what panels report, exactly once: a node's counters are read and booked under that node's lock, in one
 * transaction with the cursor they move, so two readers (the pass, a deletion's last reading; any replica) never
 * book the same bytes and a crash before the commit books nothing.
 */
@Injectable()
export class UsageLedger {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly usage: UsageRepository,
  ) {}

  /** Reads (`read`, a panel call) and books one node's counters. A failed read books nothing. */
  collect(
    node: { id: number; usageMultiplier: number },
    read: () => Promise<CounterReading[]>,
  ): Promise<BookingResult> {
    return this.dataSource.transaction(async (manager) => {
      await this.usage.lockNode(node.id, manager);
      return this.usage.book(node.id, node.usageMultiplier, await read(), manager);
    });
  }

  /** The client is gone from its panel: its cursor goes too (a client re-created later starts a new epoch). */
  forget(nodeId: number, clientEmail: string): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      await this.usage.lockNode(nodeId, manager);
      await this.usage.forget(nodeId, clientEmail, manager);
    });
  }
}
