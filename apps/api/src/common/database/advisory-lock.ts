import { DataSource, EntityManager } from 'typeorm';

/** Keys of the cluster-wide advisory locks; one per kind of work that only one replica may do at a time. */
export const LockKey = {
  Migrations: 7_300_001,
  Bootstrap: 7_300_002,
  /** Transaction-scoped: placement decisions (seat reservations) are made one at a time. */
  Placement: 7_300_003,
  /** Resolving pending assignments left by a crash. */
  PendingAssignments: 7_300_004,
  /** The scheduled health sweep: one replica per tick. */
  HealthSweep: 7_300_005,
  /** Carrying out tombstones (deleting moved users' clients from panels). */
  Tombstones: 7_300_006,
  /** The scheduled access pass (expiries, warnings). */
  AccessPass: 7_300_007,
  /** The scheduled usage pass (collecting every panel's counters). */
  UsagePass: 7_300_008,
  /** The scheduled reconcile of every node. */
  ReconcilePass: 7_300_009,
  /** Recomputing the snapshot of the top users. */
  TopUsers: 7_300_010,
  /** Writes to a 3x-ui panel: the first of two keys, the second being the panel's (`panelLockKey`). */
  PanelWrite: 7_300_011,
  /** Scheduled housekeeping (kept counts folded, old history and events pruned): one replica per tick. */
  Housekeeping: 7_300_012,
  /** Trying the seats that wait for capacity again. */
  SeatWaits: 7_300_013,
  /** Transaction-scoped, with the user's id: a user's new devices are admitted one at a time (the device limit). */
  UserDevices: 7_300_014,
  /** Transaction-scoped: changes to admin accounts, so that two of them cannot together remove the last owner. */
  Admins: 7_300_015,
} as const;

/** Takes a transaction-scoped advisory lock (of one thing of that kind, with `of`): held until the transaction ends. */
export async function lockForTransaction(manager: EntityManager, key: number, of?: number): Promise<void> {
  if (of === undefined) await manager.query('SELECT pg_advisory_xact_lock($1)', [key]);
  else await manager.query('SELECT pg_advisory_xact_lock($1, $2)', [key, of]);
}

/**
 * Runs `work` while holding a session-level PostgreSQL advisory lock on a dedicated connection,
 * so that replicas sharing one database take turns.
 */
export async function withAdvisoryLock<T>(dataSource: DataSource, key: number, work: () => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [key]);
    try {
      return await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } finally {
    await runner.release();
  }
}

/**
 * Runs `work` only if no other process holds `key` right now (session-level lock on a dedicated connection);
 * answers `{ ran: false }` at once otherwise. For background loops that one replica at a time must run.
 */
export async function tryAdvisoryLock<T>(
  dataSource: DataSource,
  key: number,
  work: () => Promise<T>,
): Promise<{ ran: true; result: T } | { ran: false }> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [key]);
    if (!locked) return { ran: false };
    try {
      return { ran: true, result: await work() };
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } finally {
    await runner.release();
  }
}

/** PostgreSQL's codes for "run it again": deadlock detected, serialization failure. */
const RETRYABLE = new Set(['40P01', '40001']);

/**
 * Runs a transaction again (up to `attempts` times) when PostgreSQL aborted it to break a deadlock: the aborted
 * attempt left nothing behind, so running it again is safe.
 */
export async function retryOnDeadlock<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = (error as { driverError?: { code?: string }; code?: string }).driverError?.code;
      if (attempt >= attempts || !code || !RETRYABLE.has(code)) throw error;
    }
  }
}
