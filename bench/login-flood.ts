/**
 * Does a login flood stall the process, or lock the right password out? `/healthz` latency at rest, then while 20
 * clients send logins with random usernames and passwords as fast as they are answered: once all from one address,
 * once each from its own address (the control plane trusts loopback as a proxy here, so every request names a fresh
 * client in X-Forwarded-For — what a distributed attack looks like), and once from 40 such clients. During the
 * distributed floods the admin logs in with the right password from a clean address 5 times
 * (`rightPasswordFromCleanAddress`). Floor: `/healthz` at rest, measured in the same run; targets: the median under a
 * flood below 3× that, and every one of the admin's logins answered 200.
 * Run: npm run bench:login-flood   (BENCH_FLOOD_SECONDS, BENCH_FLOOD_CLIENTS, BENCH_DISTRIBUTED_CLIENTS)
 */
import { randomBytes } from 'node:crypto';
import { startControlPlane } from './support/control-plane';
import { probe, summary } from './support/healthz-probe';

const SECONDS = Number(process.env['BENCH_FLOOD_SECONDS'] ?? 8);
const CLIENTS = Number(process.env['BENCH_FLOOD_CLIENTS'] ?? 20);
const DISTRIBUTED_CLIENTS = Number(process.env['BENCH_DISTRIBUTED_CLIENTS'] ?? 40);
const RIGHT_LOGINS = 5;
const PORT = 3900 + Math.floor(Math.random() * 50);

/** The admin's right password from a fresh address, `RIGHT_LOGINS` times spread over the flood. */
async function rightLogins(url: string, until: number) {
  const statuses: Record<number, number> = {};
  const latencies: number[] = [];
  const gap = (until - Date.now()) / (RIGHT_LOGINS + 1);
  for (let i = 0; i < RIGHT_LOGINS; i++) {
    await new Promise((resolve) => setTimeout(resolve, gap));
    const started = performance.now();
    const response = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': `192.0.2.${randomBytes(1)[0]}` },
      body: JSON.stringify({ username: 'bench', password: 'bench-password' }),
    });
    await response.arrayBuffer();
    latencies.push(performance.now() - started);
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  }
  return { attempts: RIGHT_LOGINS, succeeded: statuses[200] ?? 0, statuses, latency: summary(latencies) };
}

async function flood(url: string, until: number, spoofAddresses: boolean, clients = CLIENTS) {
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
  const [samples, right] = await Promise.all([
    probe(url, until),
    spoofAddresses ? rightLogins(url, until) : null,
    ...Array.from({ length: clients }, client),
  ]);
  return {
    healthz: summary(samples),
    loginResponses: statuses,
    ...(right ? { rightPasswordFromCleanAddress: right } : {}),
  };
}

/** At rest, then both floods, on a fresh control plane started with `env`. */
async function phases(port: number, env: Record<string, string>) {
  const plane = await startControlPlane(port, { TRUST_PROXY: process.env['BENCH_TRUST_PROXY'] ?? 'loopback', ...env });
  try {
    await probe(plane.url, Date.now() + 500); // warm
    const atRest = summary(await probe(plane.url, Date.now() + SECONDS * 1000));
    const oneAddress = await flood(plane.url, Date.now() + SECONDS * 1000, false);
    const manyAddresses = await flood(plane.url, Date.now() + SECONDS * 1000, true);
    const distributed = await flood(plane.url, Date.now() + SECONDS * 1000, true, DISTRIBUTED_CLIENTS);
    return { atRest, oneAddress, manyAddresses, distributed };
  } finally {
    await plane.stop();
  }
}

async function main() {
  const { atRest, oneAddress, manyAddresses, distributed } = await phases(PORT, {});
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
        distributed: { clients: DISTRIBUTED_CLIENTS, ...distributed, medianVsRest: ratio(distributed) },
        withoutRejectDelay: {
          healthzAtRest: immediate.atRest,
          oneAddress: { ...immediate.oneAddress, medianVsRest: ratio(immediate.oneAddress, immediate.atRest) },
          manyAddresses: {
            ...immediate.manyAddresses,
            medianVsRest: ratio(immediate.manyAddresses, immediate.atRest),
          },
          distributed: {
            clients: DISTRIBUTED_CLIENTS,
            ...immediate.distributed,
            medianVsRest: ratio(immediate.distributed, immediate.atRest),
          },
        },
        target: 'medianVsRest < 3; the right password from a clean address always 200 during a distributed flood',
        withinTarget:
          ratio(oneAddress) < 3 &&
          ratio(manyAddresses) < 3 &&
          ratio(distributed) < 3 &&
          [manyAddresses, distributed].every(
            (phase) => phase.rightPasswordFromCleanAddress?.succeeded === RIGHT_LOGINS,
          ),
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
