import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports process times in ticks of 1/100 s (USER_HZ). */
const TICK_SECONDS = 0.01;

/** CPU seconds (user + system) a process has used so far, from /proc; null where that cannot be read. */
function processSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is the first, utime the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_SECONDS;
  } catch {
    return null;
  }
}

/** CPU seconds used so far by every PostgreSQL process of the machine (the server and its backends). */
function databaseSeconds(): number | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  let total = 0;
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue; // gone meanwhile
    }
    total += processSeconds(Number(pid)) ?? 0;
  }
  return total;
}

export type CpuRoles = Record<string, number[]>;

/**
 * CPU seconds each role's processes used between `start` and `stop` (`database`: every PostgreSQL process, `bench`:
 * this process). Backends that end meanwhile take their time with them, so the database figure is a lower bound.
 * Null where /proc cannot be read (not Linux).
 */
export function startCpuMeter(roles: CpuRoles): { stop(): Record<string, number> | null } {
  const read = () => {
    const database = databaseSeconds();
    if (database === null) return null;
    const bench = process.cpuUsage();
    const figures: Record<string, number> = { database, bench: (bench.user + bench.system) / 1e6 };
    for (const [role, pids] of Object.entries(roles))
      figures[role] = pids.reduce((sum, pid) => sum + (processSeconds(pid) ?? 0), 0);
    return figures;
  };
  const before = read();
  return {
    stop() {
      const after = read();
      if (!before || !after) return null;
      return Object.fromEntries(Object.keys(after).map((role) => [role, +(after[role] - before[role]).toFixed(2)]));
    },
  };
}
