/**
 * The usage pass at fleet scale: 500 simulated panels (one separate process) × 200 clients = 100,000 users, with
 * traffic on every client before each pass, so every pass writes every user's hourly bucket and period total.
 * Reported: the pass's wall time, the database time inside it (the bookings, summed and per node), the rows it
 * writes, the users it credits, and the floor: the 500 `inbounds/list` calls alone at the same parallelism
 * (USAGE_CONCURRENCY), measured in this run on the same sessions. Target: pass ≤ 2× floor.
 * Users, assignments and cursors are written straight into a fresh database; the panels get their clients through
 * their API; the pass runs in-process.
 * Run: npm run bench:usage-pass   (BENCH_PANELS, BENCH_CLIENTS_PER_PANEL, BENCH_USAGE_CONCURRENCY to change the size)
 */
import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { eachLimited } from '../apps/api/src/common/batching/each-limited';
import { NodesRepository } from '../apps/api/src/modules/nodes/nodes.repository';
import { PanelPoolService } from '../apps/api/src/modules/panels/panel-pool.service';
import { UsagePassService } from '../apps/api/src/modules/usage/usage-pass.service';
import { UsageRepository } from '../apps/api/src/modules/usage/usage.repository';
import { startInProcess } from './support/in-process';
import { seededEmail, seedFleet } from './support/seed-fleet';
import { SimulatedPanel, startSimulators } from './support/simulators';

const PANELS = Number(process.env['BENCH_PANELS'] ?? 500);
const PER_PANEL = Number(process.env['BENCH_CLIENTS_PER_PANEL'] ?? 200);
const CONCURRENCY = Number(process.env['BENCH_USAGE_CONCURRENCY'] ?? 8);
const ROUNDS = 3;

/** CPU time of a process (user + system) in ms, from /proc (Linux). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (100 Hz)
}

/** CPU time (ms) of every database backend serving this benchmark's database, by backend pid. */
async function databaseCpuMs(dataSource: DataSource): Promise<Map<number, number>> {
  const backends: Array<{ pid: number }> = await dataSource.query(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`,
  );
  const cpu = new Map<number, number>();
  for (const { pid } of backends) {
    try {
      cpu.set(pid, cpuMsOf(pid));
    } catch {
      // (gone meanwhile)
    }
  }
  return cpu;
}

const cpuSpent = (before: Map<number, number>, after: Map<number, number>) =>
  Math.round([...after].reduce((sum, [pid, ms]) => sum + ms - (before.get(pid) ?? 0), 0));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const emailOf = (panelIndex: number, slot: number) => seededEmail(PER_PANEL, panelIndex, slot);

/** Traffic on every client of every panel, as Xray's stats would add it (one control call per panel). */
async function trafficEverywhere(panels: SimulatedPanel[]): Promise<number> {
  let bytes = 0;
  await eachLimited(panels, 16, async (panel, i) => {
    const deltas = Array.from({ length: PER_PANEL }, (_, slot) => ({
      email: emailOf(i, slot),
      up: 1000 + slot,
      down: 5000 + slot,
    }));
    const response = await fetch(`${panel.controlUrl}/traffic`, { method: 'POST', body: JSON.stringify(deltas) });
    bytes += ((await response.json()) as { acceptedBytes: number }).acceptedBytes;
  });
  return bytes;
}

async function main(): Promise<void> {
  const sims = await startSimulators({ panels: PANELS, basePort: 24000 });
  const plane = await startInProcess('fleet_bench_usage', { USAGE_CONCURRENCY: String(CONCURRENCY) });
  try {
    const { app, secretBox } = plane;
    const dataSource = app.get(DataSource);
    await seedFleet(app, secretBox, sims.panels, PER_PANEL);

    // Database time: every booking, measured where the pass calls it.
    const repository = app.get(UsageRepository);
    const book = repository.book.bind(repository);
    let bookings: number[] = [];
    repository.book = async (...args: Parameters<typeof book>) => {
      const started = performance.now();
      try {
        return await book(...args);
      } finally {
        bookings.push(performance.now() - started);
      }
    };

    const pass = app.get(UsagePassService);
    const warmBytes = await trafficEverywhere(sims.panels);
    const warm = await pass.run(true); // sessions, first readings
    const nodes = await app.get(NodesRepository).findAll();
    const pool = app.get(PanelPoolService);
    // A keep-alive socket the simulator closed as it was reused (a loaded machine) is tried once more, as the pass
    // would catch that panel up on its next run.
    const listOnce = async (node: (typeof nodes)[number]) => {
      const list = () => pool.run(node, (panel) => panel.listInbounds());
      await list().catch(list);
    };
    const floors: number[] = [];
    const floorCpuMs: number[] = [];
    const floorSimulatorsCpuMs: number[] = [];
    const runs: Array<{
      cpuMs: { controlPlane: number; simulators: number; database: number };
      walMB: number;
      passMs: number;
      dbMsSum: number;
      dbMsPerBookingP50: number;
      bookings: number;
      rows: number;
      skipped: number;
      usersCredited: number;
      cursorsMoved: number;
      booked: number;
    }> = [];
    let injected = 0;
    let booked = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const startedFloor = performance.now();
      const floorCpu = process.cpuUsage();
      const floorSimsCpu = cpuMsOf(sims.child.pid!);
      await eachLimited(nodes, CONCURRENCY, listOnce);
      floors.push(performance.now() - startedFloor);
      const floorCpuUsed = process.cpuUsage(floorCpu);
      floorCpuMs.push(Math.round((floorCpuUsed.user + floorCpuUsed.system) / 1000));
      floorSimulatorsCpuMs.push(Math.round(cpuMsOf(sims.child.pid!) - floorSimsCpu));

      injected += await trafficEverywhere(sims.panels);
      bookings = [];
      const [{ lsn: walBefore }] = await dataSource.query('SELECT pg_current_wal_lsn()::text AS lsn');
      const cpuBefore = {
        plane: process.cpuUsage(),
        sims: cpuMsOf(sims.child.pid!),
        database: await databaseCpuMs(dataSource),
      };
      const result = await pass.run(true);
      const planeCpu = process.cpuUsage(cpuBefore.plane);
      const cpuMs = {
        controlPlane: Math.round((planeCpu.user + planeCpu.system) / 1000),
        simulators: Math.round(cpuMsOf(sims.child.pid!) - cpuBefore.sims),
        database: cpuSpent(cpuBefore.database, await databaseCpuMs(dataSource)),
      };
      const [{ bytes: walBytes }] = await dataSource.query(
        `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::bigint::text AS bytes`,
        [walBefore],
      );
      booked += result.up + result.down;
      runs.push({
        passMs: result.ms,
        dbMsSum: Math.round(bookings.reduce((sum, ms) => sum + ms, 0)),
        dbMsPerBookingP50: +median(bookings).toFixed(1),
        bookings: bookings.length,
        // one cursor row and one hourly bucket per node + one hourly bucket and one user row per credited user
        rows: 2 * (result.nodes - result.skipped) + 2 * result.users,
        skipped: result.skipped,
        usersCredited: result.users,
        cursorsMoved: result.rows,
        booked: result.up + result.down,
        walMB: +(Number(walBytes) / 1e6).toFixed(1),
        cpuMs,
      });
    }
    // A fleet where every user has a limit (their quotas checked at every pass); the first pass after the limits are
    // set is reported as `settlePass` (nothing waits to be settled any more: every pass credits every user).
    await dataSource.query(`UPDATE vpn_users SET traffic_limit_bytes = 1000000000000000`);
    injected += await trafficEverywhere(sims.panels);
    const settling = await pass.run(true);
    booked += settling.up + settling.down;
    const limitedRuns: number[] = [];
    const limitedDbMs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      injected += await trafficEverywhere(sims.panels);
      bookings = [];
      const result = await pass.run(true);
      booked += result.up + result.down;
      limitedRuns.push(result.ms);
      limitedDbMs.push(Math.round(bookings.reduce((sum, ms) => sum + ms, 0)));
    }
    // What a pass skipped (a panel that did not answer in time) is booked by the next one.
    const catchUp = await pass.run(true);
    booked += catchUp.up + catchUp.down;
    // Every byte the panels accepted is in the users' hourly rows and totals, once.
    const [ledger]: Array<{ users: number; totals: string; hourly: string }> = await dataSource.query(
      `SELECT count(*)::int AS users, sum(used_bytes)::text AS totals,
              (SELECT sum(up + down) FROM usage_hourly)::text AS hourly
         FROM vpn_users WHERE used_bytes > 0`,
    );
    const accepted = warmBytes + injected;

    // Updates that stayed on their page without touching indexes (HOT): what keeps a pass's writes cheap.
    const stats: Array<{ relname: string; updates: string; hot: string }> = await dataSource.query(
      `SELECT relname, n_tup_upd::text AS updates, n_tup_hot_upd::text AS hot FROM pg_stat_user_tables
        WHERE relname IN ('vpn_users', 'usage_node_cursors', 'usage_hourly')`,
    );
    const hotUpdateShare = Object.fromEntries(
      stats.map((row) => [row.relname, +(Number(row.hot) / Math.max(1, Number(row.updates))).toFixed(2)]),
    );
    const passMs = median(runs.map((run) => run.passMs));
    const floorMs = Math.round(median(floors));
    console.log(
      JSON.stringify(
        {
          benchmark: 'usage-pass',
          panels: PANELS,
          clientsPerPanel: PER_PANEL,
          users: PANELS * PER_PANEL,
          concurrency: CONCURRENCY,
          warmPass: { ms: warm.ms, rows: warm.rows, skipped: warm.skipped },
          runs,
          passMs,
          dbMsSum: median(runs.map((run) => run.dbMsSum)),
          rowsWrittenPerPass: median(runs.map((run) => run.rows)),
          usersCreditedPerPass: median(runs.map((run) => run.usersCredited)),
          hotUpdateShare,
          floor: {
            listCallsMs: floorMs,
            listCallsMsRuns: floors.map(Math.round),
            controlPlaneCpuMs: floorCpuMs,
            simulatorsCpuMs: floorSimulatorsCpuMs,
          },
          // CPU of a pass (control plane, simulators, database) against the floor's: on a machine whose cores the
          // floor already keeps busy, the pass's wall time follows this ratio rather than the floor's wall time.
          passCpuVsFloorCpu: +(
            median(runs.map((run) => run.cpuMs.controlPlane + run.cpuMs.simulators + run.cpuMs.database)) /
            median(floorCpuMs.map((ms, i) => ms + floorSimulatorsCpuMs[i]))
          ).toFixed(2),
          passVsFloor: +(passMs / floorMs).toFixed(2),
          settlePass: { ms: settling.ms, usersCredited: settling.users },
          everyUserLimited: {
            passMs: median(limitedRuns),
            passMsRuns: limitedRuns,
            passVsFloor: +(median(limitedRuns) / floorMs).toFixed(2),
            dbMsSumRuns: limitedDbMs,
          },
          ledger: {
            usersWithUsage: ledger.users,
            accepted,
            hourly: Number(ledger.hourly),
            userTotals: Number(ledger.totals),
            equal: Number(ledger.hourly) === accepted && Number(ledger.totals) === accepted,
          },
          target: 'passVsFloor ≤ 2',
          exact: { injected, booked, equal: injected === booked },
        },
        null,
        2,
      ),
    );
  } finally {
    await plane.close();
    sims.child.kill('SIGTERM');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
