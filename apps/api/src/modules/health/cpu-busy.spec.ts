import { cpuBusy } from './cpu-busy';

describe('cpuBusy: whether a check’s CPU keeps the node from new users, and for how long', () => {
  const config = { cpuBusyPercent: 90, healthIntervalMs: 10_000 };

  it.each<[number | null, typeof config, ReturnType<typeof cpuBusy>]>([
    [97, config, { above: 90, forMs: 30_000 }],
    [90.01, config, { above: 90, forMs: 30_000 }],
    [90, config, null],
    [12, config, null],
    [null, config, null],
    [100, { ...config, cpuBusyPercent: 0 }, null],
    [97, { ...config, healthIntervalMs: 0 }, { above: 90, forMs: 180_000 }],
  ])('CPU %p with %p → %p', (cpu, settings, expected) => {
    expect(cpuBusy(cpu, settings)).toEqual(expected);
  });
});
