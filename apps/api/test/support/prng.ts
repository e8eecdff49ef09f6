/** A small seeded PRNG (mulberry32) for property and chaos tests: the printed seed replays a failing run. */
export function prng(seed: number): { next: () => number; pick: <T>(items: readonly T[]) => T } {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: (items) => items[Math.floor(next() * items.length)] };
}

/** The seed of this run: `envName` to replay one, otherwise random. */
export function seedFrom(envName: string): number {
  return Number(process.env[envName] ?? Math.floor(Math.random() * 2 ** 31));
}
