import { HostActivity, overridden, SimulatedHost } from './simulated-host';

const RUNNING = { state: 'running', errorMsg: '' };
const idle: HostActivity = { clients: 0, online: 0, upBytes: 0, downBytes: 0 };

/** The answers of a host asked every 2 s for `count` refreshes. */
function answers(host: SimulatedHost, start: number, count: number, activity = idle) {
  return Array.from({ length: count }, (_, i) => host.status(activity, RUNNING, undefined, start + i * 2000));
}

describe('SimulatedHost: the figures behind server/status', () => {
  const start = Date.now();

  it('the CPU wanders within its band and changes from refresh to refresh', () => {
    const cpus = answers(new SimulatedHost(start), start, 200).map((status) => status['cpu'] as number);
    expect(Math.min(...cpus)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...cpus)).toBeLessThanOrEqual(30);
    expect(new Set(cpus).size).toBeGreaterThan(50);
  });

  it('between refreshes (2 s, as the panel) it answers the same figures', () => {
    const host = new SimulatedHost(start);
    const first = host.status(idle, RUNNING, undefined, start + 2000);
    expect(host.status(idle, RUNNING, undefined, start + 3999)).toEqual(first);
    expect(host.status(idle, RUNNING, undefined, start + 4000)).not.toEqual(first);
  });

  it('uptime grows with the clock, from a boot days before', () => {
    const host = new SimulatedHost(start);
    const [before, after] = [start + 2000, start + 62_000].map(
      (now) => host.status(idle, RUNNING, undefined, now)['uptime'] as number,
    );
    expect(before).toBeGreaterThan(86_400);
    expect(after - before).toBe(60);
  });

  it('memory, disk and connections grow with the clients; memory stays within the total', () => {
    const host = new SimulatedHost(start);
    const few = host.status({ ...idle, clients: 10, online: 2 }, RUNNING, undefined, start + 2000);
    const many = host.status({ ...idle, clients: 5000, online: 800 }, RUNNING, undefined, start + 2000);
    const mem = (status: Record<string, unknown>) => status['mem'] as { current: number; total: number };
    expect(mem(many).current).toBeGreaterThan(mem(few).current);
    expect(mem(many).current).toBeLessThan(mem(many).total);
    expect(many['tcpCount'] as number).toBeGreaterThan((few['tcpCount'] as number) + 1000);
    expect(many['udpCount'] as number).toBeGreaterThan(few['udpCount'] as number);
  });

  it('network rates follow the traffic Xray carried between refreshes', () => {
    const host = new SimulatedHost(start);
    host.status(idle, RUNNING, undefined, start);
    const busy = { ...idle, upBytes: 2_000_000, downBytes: 20_000_000 };
    const { up, down } = host.status(busy, RUNNING, undefined, start + 2000)['netIO'] as { up: number; down: number };
    // Down to the clients is what the host sends (up); about 10 MB/s of it over those 2 s.
    expect(up).toBeGreaterThan(10_000_000);
    expect(up).toBeLessThan(10_010_000);
    expect(down).toBeGreaterThan(1_000_000);
    const quiet = host.status(busy, RUNNING, undefined, start + 4000)['netIO'] as { up: number; down: number };
    expect(quiet.up).toBeLessThan(5000);
  });

  it('load averages trail the CPU', () => {
    const host = new SimulatedHost(start);
    const status = answers(host, start, 30).at(-1)!;
    const loads = status['loads'] as number[];
    expect(loads).toHaveLength(3);
    for (const load of loads) expect(load).toBeGreaterThanOrEqual(0);
    expect(Math.max(...loads)).toBeLessThanOrEqual(0.6); // 2 cores at most 30 % busy
  });

  it('a hot CPU is reported as set, with the loads it brings', () => {
    const status = new SimulatedHost(start).status(idle, RUNNING, 97, start + 2000);
    expect(status['cpu']).toBe(97);
    expect(status['loads']).toEqual([1.94, 1.94, 1.94]);
  });

  it('an override leaves fields out and puts any value in', () => {
    const status = new SimulatedHost(start).status(idle, RUNNING, undefined, start);
    const changed = overridden(status, { omit: ['disk', 'loads'], fields: { cpu: 'hot', tcpCount: -5 } });
    expect(changed).not.toHaveProperty('disk');
    expect(changed).not.toHaveProperty('loads');
    expect(changed).toMatchObject({ cpu: 'hot', tcpCount: -5, xray: { state: 'running', version: '25.10.15' } });
  });
});
