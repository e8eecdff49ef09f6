/**
 * Add-client round trip and throughput against a simulated panel in a separate process, one client per call
 * and batched (1, 50, 500 per call), on an empty panel without write cost and on a panel holding 10,000 clients
 * with a v2.8 panel's write cost (spec §14). These are the floors later benchmarks compare against.
 * Run: npm run bench:panel-client   Prints one JSON object.
 */
import { randomUUID } from 'node:crypto';
import { PanelClient, XuiClient } from '@fleet/xui-client';
import { percentile, startSimulators } from './support/simulators';

const INBOUND = 2;
const PRELOAD = 10_000;

/** Calls per batch size: enough for stable percentiles without minutes of waiting on the costly panel. */
const PLANS = {
  none: { 1: 500, 50: 40, 500: 4 },
  realistic: { 1: 40, 50: 20, 500: 4 },
} as const;

export function benchClient(email: string): PanelClient {
  return {
    id: randomUUID(),
    email,
    enable: true,
    flow: '',
    limitIp: 0,
    totalGB: 0,
    expiryTime: 0,
    tgId: 0,
    subId: email,
    comment: '',
    reset: 0,
  };
}

const batchOf = (size: number) => Array.from({ length: size }, () => benchClient(`bench-${randomUUID().slice(0, 13)}`));

async function measure(writeCost: 'none' | 'realistic', basePort: number) {
  const { child, panels } = await startSimulators({ panels: 1, basePort, writeCost });
  const [panel] = panels;
  const client = new XuiClient({
    baseUrl: panel.url,
    username: panel.username,
    password: panel.password,
    timeoutMs: 120_000,
  });
  try {
    await client.listInbounds(); // login outside the measurement
    const preload = writeCost === 'realistic' ? PRELOAD : 0;
    for (let added = 0; added < preload; added += 1000) await client.addClients(INBOUND, batchOf(1000));
    const results: Record<string, unknown>[] = [];
    for (const [size, calls] of Object.entries(PLANS[writeCost]).map(([b, c]) => [Number(b), c])) {
      const latencies: number[] = [];
      const started = performance.now();
      for (let call = 0; call < calls; call++) {
        const clients = batchOf(size);
        const t0 = performance.now();
        await client.addClients(INBOUND, clients);
        latencies.push(performance.now() - t0);
      }
      const seconds = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      results.push({
        clientsPerCall: size,
        calls,
        callP50Ms: +percentile(latencies, 50).toFixed(2),
        callP99Ms: +percentile(latencies, 99).toFixed(2),
        clientsPerSecond: Math.round((calls * size) / seconds),
      });
    }
    return { writeCost, clientsOnPanelBefore: preload, results };
  } finally {
    client.close();
    child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const scenarios = [await measure('none', 20990), await measure('realistic', 20995)];
  console.log(
    JSON.stringify({ benchmark: 'panel-client', simulator: 'separate process, v2.8.11', scenarios }, null, 2),
  );
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
