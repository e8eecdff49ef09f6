/**
 * Failover at scale: 10,000 users on one of 5 simulated panels (each panel its own process), the control plane in
 * its own process (health sweep every 2 s, fall after 3 failures). The panel's process is killed; reported: time to
 * detect (node unhealthy), time until the last user is active elsewhere, users lost and doubled (from the surviving
 * panels' own state), and the floor: adding the same 10,000 clients straight to 4 panels in batches of 500,
 * measured in this run. The control plane runs with the product's default job batch (JOB_CONCURRENCY 2000): spread
 * over the 4 target panels, about 500 clients per panel call, the floor's batch. Then a second replica joins, the
 * next panel is killed, and the replica running that failover is SIGKILLed while its moves are under way
 * (`replicaKill`; the surviving panels then answer 100 ms later, so that the kill lands before the job ends;
 * `doneAtKill` says how far it had got): time from the kill until the job is done on the survivor, against the lease
 * that must run out first and the target of lease + 10 s, and `failover.stalled` events raised meanwhile (seats are
 * free all along, so any is false).
 * `cpuSeconds` (the floor's and the migration's): CPU time each part of the machine used meanwhile; divided by the
 * cores (`cpuBoundSeconds`), the least time that work could take here however well it overlapped.
 * Run: npm run bench:failover   (BENCH_USERS to change the size; BENCH_WRITE_COST=realistic gives every panel the
 * per-write cost of a real v2.8 panel, spec §14; BENCH_JOB_LEASE_SECONDS, default 30, the job lease;
 * BENCH_JOB_CONCURRENCY and BENCH_JOB_PARALLEL_BATCHES run the control plane with other job batches)
 */
import { ChildProcess } from 'node:child_process';
import { PanelClient, XuiClient } from '@fleet/xui-client';
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { benchClient } from './panel-client';
import { startCpuMeter } from './support/cpu';
import { api, startControlPlane } from './support/control-plane';
import { SimulatedPanel, startSimulators } from './support/simulators';

const USERS = Number(process.env['BENCH_USERS'] ?? 10_000);
const HEALTH_INTERVAL_MS = 2000;
const BATCH = 500;
const WRITE_COST = process.env['BENCH_WRITE_COST'] === 'realistic' ? 'realistic' : 'none';
const LEASE_SECONDS = Number(process.env['BENCH_JOB_LEASE_SECONDS'] ?? 30);
/** Added to every answer of the surviving panels during `replicaKill`. */
const REPLICA_KILL_PANEL_LATENCY_MS = 100;
const PLANE_ENV = {
  HEALTH_INTERVAL_MS: String(HEALTH_INTERVAL_MS),
  HEALTH_TIMEOUT_MS: '2000',
  BACKGROUND_TICK_MS: '200',
  JOB_LEASE_SECONDS: String(LEASE_SECONDS),
  ...(process.env['BENCH_JOB_PARALLEL_BATCHES']
    ? { JOB_PARALLEL_BATCHES: process.env['BENCH_JOB_PARALLEL_BATCHES'] }
    : {}),
  ...(process.env['BENCH_JOB_CONCURRENCY'] ? { JOB_CONCURRENCY: process.env['BENCH_JOB_CONCURRENCY'] } : {}),
};

type Plane = Awaited<ReturnType<typeof startControlPlane>>;
interface JobBody {
  id: number;
  kind: string;
  nodeId: number | null;
  status: string;
  done: number;
  failed: number;
  total: number;
  leaseOwner?: string | null;
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const clientOf = (panel: SimulatedPanel) =>
  new XuiClient({ baseUrl: panel.url, username: panel.username, password: panel.password, timeoutMs: 120_000 });

async function addInBatches(client: XuiClient, clients: PanelClient[]): Promise<void> {
  for (let i = 0; i < clients.length; i += BATCH) await client.addClients(1, clients.slice(i, i + BATCH));
}

/** Lower bound: the same number of clients added directly to 4 panels, in parallel, batches of 500. */
async function floor(panels: SimulatedPanel[]): Promise<number> {
  const clients = panels.map(clientOf);
  await Promise.all(clients.map((client) => client.listInbounds()));
  const started = performance.now();
  const share = Math.ceil(USERS / panels.length);
  await Promise.all(
    clients.map((client, p) =>
      addInBatches(
        client,
        Array.from({ length: share }, (_, i) => benchClient(`floor-${p}-${i}`)),
      ),
    ),
  );
  clients.forEach((client) => client.close());
  return (performance.now() - started) / 1000;
}

async function emailsOn(panel: SimulatedPanel): Promise<string[]> {
  const state = (await (await fetch(`${panel.controlUrl}/state`)).json()) as {
    inbounds: Array<{ id: number; clients: Array<{ email: string }> }>;
  };
  return state.inbounds.find((inbound) => inbound.id === 1)!.clients.map((client) => client.email);
}

/** Users of ours (`u<id>-n<node>`) on each of these panels: how many are on none, and on more than one. */
async function placement(panels: SimulatedPanel[], expected: number): Promise<{ lost: number; doubled: number }> {
  const perUser = new Map<string, number>();
  for (const panel of panels) {
    for (const email of await emailsOn(panel)) {
      const user = /^u(\d+)-n\d+$/.exec(email)?.[1];
      if (user) perUser.set(user, (perUser.get(user) ?? 0) + 1);
    }
  }
  return { lost: expected - perUser.size, doubled: [...perUser.values()].filter((n) => n > 1).length };
}

/**
 * With two replicas up, the panel of `nodeIds[1]` dies; while its failover is running, the replica running it (the
 * job's lease owner, host:pid:tag) is SIGKILLed. Timed from the kill until the survivor reports the job completed.
 */
async function replicaKill(
  planes: [Plane, Plane],
  sims: Array<{ child: ChildProcess }>,
  panels: SimulatedPanel[],
  nodeIds: number[],
  allUsers: number,
): Promise<Record<string, unknown>> {
  const [first] = planes;
  const victim = nodeIds[1];
  const users = (await api<{ currentUsers: number }>(first.url, first.token, 'GET', `/api/v1/nodes/${victim}`))
    .currentUsers;
  // The surviving panels answer more slowly, so that the kill lands while this failover's moves are under way
  // (unslowed, its ~2,500 users can all be moved between two polls).
  for (const panel of panels.slice(2)) {
    await fetch(`${panel.controlUrl}/fault`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'none', latencyMs: REPLICA_KILL_PANEL_LATENCY_MS }),
    });
  }
  sims[1].child.kill('SIGKILL');
  let job: JobBody | undefined;
  for (const started = performance.now(); ; await sleep(50)) {
    const { items } = await api<{ items: JobBody[] }>(first.url, first.token, 'GET', '/api/v1/jobs');
    job = items.find((candidate) => candidate.kind === 'failover' && candidate.nodeId === victim);
    if (job?.status === 'running' && job.leaseOwner && job.done < job.total) break;
    if (job?.status === 'completed') throw new Error('the failover ended before a replica could be killed mid-way');
    if (performance.now() - started > 5 * 60_000) throw new Error('no failover of the second node in 5 minutes');
  }
  const ownerPid = Number(job.leaseOwner!.split(':')[1]);
  const killed = planes.find((plane) => plane.child.pid === ownerPid);
  if (!killed) throw new Error(`lease owner ${job.leaseOwner} is neither replica`);
  const survivor = planes.find((plane) => plane !== killed)!;
  const doneAtKill = job.done;
  const killedAt = performance.now();
  killed.child.kill('SIGKILL');
  let finished: JobBody;
  for (; ; await sleep(100)) {
    finished = await api<JobBody>(survivor.url, survivor.token, 'GET', `/api/v1/jobs/${job.id}`);
    if (finished.status === 'completed' || finished.status === 'failed') break;
    if (performance.now() - killedAt > 10 * 60_000)
      throw new Error('the taken-over failover did not end in 10 minutes');
  }
  const killToDoneSeconds = (performance.now() - killedAt) / 1000;
  const stalls = await api<{ items: unknown[] }>(
    survivor.url,
    survivor.token,
    'GET',
    '/api/v1/events?type=failover.stalled&limit=100',
  );
  const { lost, doubled } = await placement(panels.slice(2), allUsers);
  return {
    users,
    doneAtKill,
    panelLatencyMs: REPLICA_KILL_PANEL_LATENCY_MS,
    leaseSeconds: LEASE_SECONDS,
    killToDoneSeconds: +killToDoneSeconds.toFixed(2),
    // Nobody may take the job before its lease runs out: that is this figure's floor.
    floor: { leaseSeconds: LEASE_SECONDS },
    targetSeconds: LEASE_SECONDS + 10,
    withinTarget: killToDoneSeconds <= LEASE_SECONDS + 10,
    falseStalls: stalls.items.length,
    job: finished,
    usersLost: lost,
    usersDoubled: doubled,
  };
}

/** The least time this much CPU work takes on this machine's cores. */
function cpuBound(cpuSeconds: Record<string, number> | null): number | null {
  if (!cpuSeconds) return null;
  const total = Object.values(cpuSeconds).reduce((sum, seconds) => sum + seconds, 0);
  return +(total / availableParallelism()).toFixed(2);
}

async function main(): Promise<void> {
  const sims = await Promise.all(
    Array.from({ length: 5 }, (_, i) => startSimulators({ panels: 1, basePort: 22000 + i * 3, writeCost: WRITE_COST })),
  );
  const floorSims = await startSimulators({ panels: 4, basePort: 22100, writeCost: WRITE_COST });
  const panels = sims.map((sim) => sim.panels[0]);
  let plane: Plane | null = null;
  let second: Plane | null = null;
  try {
    plane = await startControlPlane(22090, PLANE_ENV);
    const floorMeter = startCpuMeter({ panels: [floorSims.child.pid!] });
    const floorSeconds = await floor(floorSims.panels);
    const floorCpu = floorMeter.stop();
    // The users' clients, straight onto panel 1, then adopted by the control plane as that node's users.
    const seed = clientOf(panels[0]);
    await addInBatches(
      seed,
      Array.from({ length: USERS }, () => benchClient(`user-${randomUUID().slice(0, 12)}`)),
    );
    seed.close();
    const nodeIds: number[] = [];
    for (const [i, panel] of panels.entries()) {
      const node = await api<{ id: number }>(plane.url, plane.token, 'POST', '/api/v1/nodes', {
        name: `failover-${i + 1}`,
        panelUrl: panel.url,
        panelUsername: panel.username,
        panelPassword: panel.password,
        inboundId: 1,
        maxUsers: USERS,
      });
      await api(plane.url, plane.token, 'POST', `/api/v1/nodes/${node.id}/check-health`);
      nodeIds.push(node.id);
    }
    const adopted = await api<{ imported: number }>(
      plane.url,
      plane.token,
      'POST',
      `/api/v1/nodes/${nodeIds[0]}/adopt`,
    );

    const killedAt = performance.now();
    sims[0].child.kill('SIGKILL');
    let detectedAt = 0;
    let migrationMeter: ReturnType<typeof startCpuMeter> | undefined;
    let job: { id: number; status: string; done: number; failed: number; total: number } | undefined;
    for (;;) {
      if (!detectedAt) {
        const node = await api<{ healthStatus: string }>(plane.url, plane.token, 'GET', `/api/v1/nodes/${nodeIds[0]}`);
        if (node.healthStatus === 'unhealthy') {
          detectedAt = performance.now();
          migrationMeter = startCpuMeter({
            controlPlane: [plane.child.pid!],
            panels: sims.slice(1).map((sim) => sim.child.pid!),
          });
        }
      } else {
        // Found once in the list, then read by id: polling the list would add its own cost to what is measured.
        job = job
          ? await api<NonNullable<typeof job>>(plane.url, plane.token, 'GET', `/api/v1/jobs/${job.id}`)
          : (await api<{ items: Array<NonNullable<typeof job>> }>(plane.url, plane.token, 'GET', '/api/v1/jobs'))
              .items[0];
        if (job?.status === 'completed') break;
      }
      if (performance.now() - killedAt > 15 * 60_000) throw new Error('failover did not finish in 15 minutes');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const doneAt = performance.now();
    const migrationCpu = migrationMeter!.stop();
    const { lost, doubled } = await placement(panels.slice(1), adopted.imported);

    const loads = await api<Array<{ nodeId: number; currentUsers: number }>>(
      plane.url,
      plane.token,
      'GET',
      '/api/v1/balancer/loads',
    );
    second = await startControlPlane(22091, PLANE_ENV, plane);
    const replicaKilled = await replicaKill([plane, second], sims, panels, nodeIds, adopted.imported);
    console.log(
      JSON.stringify(
        {
          benchmark: 'failover',
          users: adopted.imported,
          healthIntervalMs: HEALTH_INTERVAL_MS,
          healthFall: 3,
          detectSeconds: +((detectedAt - killedAt) / 1000).toFixed(2),
          lastUserActiveElsewhereSeconds: +((doneAt - killedAt) / 1000).toFixed(2),
          migrationSeconds: +((doneAt - detectedAt) / 1000).toFixed(2),
          migrationVsFloor: +((doneAt - detectedAt) / 1000 / floorSeconds).toFixed(2),
          // The part of the migration the panels' own work (the floor) does not explain.
          controlPlaneShare: +Math.max(0, 1 - floorSeconds / ((doneAt - detectedAt) / 1000)).toFixed(2),
          job,
          usersLost: lost,
          usersDoubled: doubled,
          loadsAfter: loads.map((l) => ({ nodeId: l.nodeId, users: l.currentUsers })),
          cores: availableParallelism(),
          cpuSeconds: migrationCpu,
          cpuBoundSeconds: cpuBound(migrationCpu),
          floor: {
            addSameClientsTo4PanelsBatched500Seconds: +floorSeconds.toFixed(2),
            cpuSeconds: floorCpu,
            cpuBoundSeconds: cpuBound(floorCpu),
          },
          simulator: `v2.8.11, one process per panel, ${WRITE_COST === 'realistic' ? 'realistic' : 'no'} write cost`,
          replicaKill: replicaKilled,
        },
        null,
        2,
      ),
    );
  } finally {
    await second?.stop(); // a replica on the first one's database, which goes with the first
    await plane?.stop();
    for (const sim of [...sims, floorSims]) sim.child.kill('SIGTERM');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
