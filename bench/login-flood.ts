/**
 * Does a login flood stall the process? `/healthz` latency at rest, then while 20 clients send logins with random
 * usernames and passwords as fast as they are answered: once all from one address, once each from its own address
 * (the control plane trusts loopback as a proxy here, so every request names a fresh client in X-Forwarded-For —
 * what a distributed attack looks like). Floor: `/healthz` at rest, measured in the same run; target: the median
 * under a flood below 3× that.
 * Run: npm run bench:login-flood   (BENCH_FLOOD_SECONDS, BENCH_FLOOD_CLIENTS to change the load)
 */
import { randomBytes } from 'node:crypto';
import { startControlPlane } from './support/control-plane';

const SECONDS = Number(process.env['BENCH_FLOOD_SECONDS'] ?? 8);
const CLIENTS = Number(process.env['BENCH_FLOOD_CLIENTS'] ?? 20);
const PORT = 3900 + Math.floor(Math.random() * 50);

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => +sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(2);
  return { samples: sorted.length, medianMs: at(0.5), p95Ms: at(0.95), maxMs: at(1) };
}

/** Sequential `/healthz` probes until `until`, every 20 ms. */
async function probe(url: string, until: number): Promise<number[]> {
  const samples: number[] = [];
  while (Date.now() < until) {
    const started = performance.now();
    await fetch(`${url}/healthz`).then((response) => response.arrayBuffer());
    samples.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return samples;
}

async function flood(url: string, until: number, spoofAddresses: boolean) {
  const statuses: Record<number, number> = {};
  const client = async () => {
    while (Date.now() < until) {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (spoofAddresses) headers['X-Forwarded-For'] = `10.${randomBytes(3).join('.')}`;
      const response = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ username: randomBytes(6).toString('hex'), password: randomBytes(12).toString('hex') }),
      });
      await response.arrayBuffer();
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    }
  };
  const [samples] = await Promise.all([probe(url, until), ...Array.from({ length: CLIENTS }, client)]);
  return { healthz: summary(samples), loginResponses: statuses };
}

/** At rest, then both floods, on a fresh control plane started with `env`. */
async function phases(port: number, env: Record<string, string>) {
  const plane = await startControlPlane(port, { TRUST_PROXY: process.env['BENCH_TRUST_PROXY'] ?? 'loopback', ...env });
  try {
    await probe(plane.url, Date.now() + 500); // warm
    const atRest = summary(await probe(plane.url, Date.now() + SECONDS * 1000));
    const oneAddress = await flood(plane.url, Date.now() + SECONDS * 1000, false);
    const manyAddresses = await flood(plane.url, Date.now() + SECONDS * 1000, true);
    return { atRest, oneAddress, manyAddresses };
  } finally {
    await plane.stop();
  }
}

async function main() {
  const { atRest, oneAddress, manyAddresses } = await phases(PORT, {});
  // The same without holding refusals back: what the budget and the bound alone achieve against waiting clients.
  const immediate = await phases(PORT + 1, { LOGIN_REJECT_DELAY_MS: '0' });
  const ratio = (figures: { healthz: { medianMs: number } }, rest = atRest) =>
    +(figures.healthz.medianMs / rest.medianMs).toFixed(2);
  console.log(
    JSON.stringify(
      {
        benchmark: 'login-flood',
        clients: CLIENTS,
        secondsPerPhase: SECONDS,
        floor: { healthzAtRest: atRest },
        oneAddress: { ...oneAddress, medianVsRest: ratio(oneAddress) },
        manyAddresses: { ...manyAddresses, medianVsRest: ratio(manyAddresses) },
        withoutRejectDelay: {
          healthzAtRest: immediate.atRest,
          oneAddress: { ...immediate.oneAddress, medianVsRest: ratio(immediate.oneAddress, immediate.atRest) },
          manyAddresses: {
            ...immediate.manyAddresses,
            medianVsRest: ratio(immediate.manyAddresses, immediate.atRest),
          },
        },
        target: 'medianVsRest < 3',
        withinTarget: ratio(oneAddress) < 3 && ratio(manyAddresses) < 3,
      },
      null,
      2,
    ),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
