import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Inbound, ClientTraffic } from '@fleet/xui-client';
import { DataSource } from 'typeorm';
import { CrashPoints } from '../../common/background/crash-points';
import { retryOnDeadlock } from '../../common/database/advisory-lock';
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
 * Books what panels report, exactly once. A reading is stamped with the database clock before the panel call and
 * booked afterwards under the node's lock (held for the booking only, so no connection waits on a panel), in one
 * transaction with the cursors it moves. A cursor another reader (the pass, a deletion's last reading; any replica)
 * moved after the stamp keeps that reader's booking, so an older reading is never booked over a newer one, and a
 * crash before the commit books nothing.
 */
@Injectable()
export class UsageLedger {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly usage: UsageRepository,
    private readonly crash: CrashPoints,
  ) {}

  /** Reads (`read`, a panel call) and books one node's counters. A failed read books nothing. */
  async collect(
    node: { id: number; usageMultiplier: number },
    read: () => Promise<CounterReading[]>,
    /** When the reading started, if the caller stamped it already (the pass stamps all its readings once). */
    since?: Date,
  ): Promise<BookingResult> {
    const stamp = since ?? (await this.usage.clock());
    const readings = await read();
    return retryOnDeadlock(() =>
      this.dataSource.transaction(async (manager) => {
        await this.usage.lockNode(node.id, manager);
        const booked = await this.usage.book(node.id, node.usageMultiplier, readings, stamp, manager);
        this.crash.reach('usage:booking'); // booked, not committed
        return booked;
      }),
    );
  }

  /** The database clock, to stamp readings taken from now on. */
  clock(): Promise<Date> {
    return this.usage.clock();
  }

  /** The client is gone from its panel: its cursor goes too (a client re-created later starts a new epoch). */
  forget(nodeId: number, clientEmail: string): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      await this.usage.lockNode(nodeId, manager);
      await this.usage.forget(nodeId, clientEmail, manager);
    });
  }
}
