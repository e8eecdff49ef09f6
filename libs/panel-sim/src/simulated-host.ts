/** What the host's figures follow: the panel's clients and the traffic Xray has counted. */
export interface HostActivity {
  clients: number;
  online: number;
  /** Cumulative bytes Xray counted for the panel's clients. */
  upBytes: number;
  downBytes: number;
}

/**
 * Changes to the `server/status` answer, for tests and benchmarks: a hot CPU, an older panel that leaves fields out,
 * a broken one that sends anything. Each call replaces the previous override; `{}` restores the plain answer.
 */
export interface StatusOverride {
  /** CPU percent reported instead of the wandering figure (a hot server). */
  cpu?: number;
  /** Top-level fields left out of the answer. */
  omit?: string[];
  /** Top-level fields answered as given, whatever they hold. */
  fields?: Record<string, unknown>;
}

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
/** The panel refreshes its status every 2 s in the background (spec §8); between refreshes it answers the same. */
const REFRESH_MS = 2000;
const CORES = 2;
/** The band the CPU wanders in when nobody says otherwise. */
const CPU_BAND = { low: 2, high: 30 };

/**
 * A believable small VPS behind a simulated panel: 2 cores, 2 GiB of memory, 40 GiB of disk. Its CPU wanders within a
 * band, memory and connections grow with the clients, load averages trail the CPU, network rates come from the
 * traffic counted between refreshes, and uptime grows from a boot some days before the simulator started.
 */
export class SimulatedHost {
  private refreshedAt: number;
  private readonly bootedAt: number;
  private cpu: number;
  private loads: [number, number, number];
  private memoryJitter = 0;
  private netRates = { up: 0, down: 0 };
  /** Xray's counters at the last refresh; unknown before the first answer. */
  private counted: { up: number; down: number } | null = null;
  private connectionJitter = 0;

  constructor(now = Date.now()) {
    this.refreshedAt = now;
    this.bootedAt = now - Math.round((1 + Math.random() * 29) * 86_400_000);
    this.cpu = CPU_BAND.low + Math.random() * (CPU_BAND.high - CPU_BAND.low) * 0.5;
    const load = (this.cpu / 100) * CORES;
    this.loads = [load, load, load];
  }

  /** The `obj` of `server/status` (spec §8), refreshed when its last refresh is 2 s old or more. */
  status(
    activity: HostActivity,
    xray: { state: string; errorMsg: string },
    hotCpu?: number,
    now = Date.now(),
  ): Record<string, unknown> {
    this.counted ??= { up: activity.upBytes, down: activity.downBytes };
    if (now - this.refreshedAt >= REFRESH_MS) this.refresh(activity, this.counted, now);
    const cpu = hotCpu ?? this.cpu;
    const uptime = Math.floor((this.refreshedAt - this.bootedAt) / 1000);
    return {
      cpu,
      cpuCores: CORES,
      logicalPro: CORES,
      cpuSpeedMhz: 2394.374,
      mem: { current: Math.round(480 * MiB + activity.clients * 48 * 1024 + this.memoryJitter), total: 2 * GiB },
      swap: { current: 0, total: 512 * MiB },
      disk: { current: 9 * GiB + Math.round(activity.clients * 4096), total: 40 * GiB },
      xray: { ...xray, version: '25.10.15' },
      uptime,
      loads: (hotCpu === undefined ? this.loads : this.loads.map(() => (cpu / 100) * CORES)).map(round2),
      tcpCount: Math.max(0, Math.round(8 + activity.clients / 20 + activity.online * 2 + this.connectionJitter)),
      udpCount: Math.max(0, Math.round(2 + activity.online / 3 + this.connectionJitter / 4)),
      netIO: { up: Math.round(this.netRates.up), down: Math.round(this.netRates.down) },
      netTraffic: { sent: 4 * GiB + activity.downBytes, recv: 3 * GiB + activity.upBytes },
      publicIP: { ipv4: '203.0.113.10', ipv6: 'N/A' },
      appStats: { threads: 12, mem: 48 * MiB, uptime: uptime - 40 },
    };
  }

  private refresh(activity: HostActivity, counted: { up: number; down: number }, now: number): void {
    const seconds = (now - this.refreshedAt) / 1000;
    this.refreshedAt = now;
    const step = (Math.random() - 0.5) * 8;
    this.cpu = Math.min(CPU_BAND.high, Math.max(CPU_BAND.low, this.cpu + step));
    // Load averages are exponentially damped over 1, 5 and 15 minutes, as the kernel keeps them.
    const running = (this.cpu / 100) * CORES;
    this.loads = this.loads.map((load, i) => {
      const decay = Math.exp(-seconds / ([60, 300, 900][i] as number));
      return load * decay + running * (1 - decay);
    }) as [number, number, number];
    this.memoryJitter = (Math.random() - 0.5) * 24 * MiB;
    this.connectionJitter = (Math.random() - 0.5) * 6;
    // Rates: what Xray counted since the last refresh, over a little background traffic of the host itself.
    const background = () => 800 + Math.random() * 1600;
    this.netRates = {
      up: Math.max(0, activity.downBytes - counted.down) / seconds + background(),
      down: Math.max(0, activity.upBytes - counted.up) / seconds + background(),
    };
    this.counted = { up: activity.upBytes, down: activity.downBytes };
  }
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** A status answer with the override's fields left out, then its own fields put in. */
export function overridden(status: Record<string, unknown>, override: StatusOverride): Record<string, unknown> {
  const kept = Object.fromEntries(Object.entries(status).filter(([field]) => !override.omit?.includes(field)));
  return { ...kept, ...override.fields };
}
