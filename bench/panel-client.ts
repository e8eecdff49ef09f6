/**
 * Add-client round trip and throughput against a simulated panel in a separate process, one client per call
 * and batched (1, 50, 500 per call). These are the floors later benchmarks compare against.
 * Run: npm run bench:panel-client   Prints one JSON object.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { XuiClient } from '@fleet/xui-client';

const TOTAL = Number(process.env['BENCH_CLIENTS'] ?? 2000);

async function startSimulator(): Promise<{
  child: ChildProcess;
  panel: { url: string; username: string; password: string };
}> {
  const child = spawn(process.execPath, [
    resolve(__dirname, '../dist/apps/panel-sim/main.js'),
    '--panels',
    '1',
    '--base-port',
    '20990',
    '--json',
  ]);
  const line = await new Promise<string>((done, fail) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) done(out.split('\n')[0]);
    });
    child.once('exit', (code) => fail(new Error(`simulator exited with ${code}`)));
  });
  return { child, panel: JSON.parse(line)[0] };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const { child, panel } = await startSimulator();
  const client = new XuiClient({
    baseUrl: panel.url,
    username: panel.username,
    password: panel.password,
    timeoutMs: 60_000,
  });
  try {
    await client.listInbounds(); // login outside the measurement
    const results: Record<string, unknown>[] = [];
    for (const batch of [1, 50, 500]) {
      const calls = Math.max(1, Math.floor(TOTAL / batch / (batch === 1 ? 4 : 1)));
      const latencies: number[] = [];
      const started = performance.now();
      for (let call = 0; call < calls; call++) {
        const clients = Array.from({ length: batch }, () => {
          const email = `bench-${randomUUID().slice(0, 13)}`;
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
        });
        const t0 = performance.now();
        await client.addClients(2, clients);
        latencies.push(performance.now() - t0);
      }
      const seconds = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      results.push({
        clientsPerCall: batch,
        calls,
        clientsAdded: calls * batch,
        callP50Ms: +percentile(latencies, 50).toFixed(2),
        callP99Ms: +percentile(latencies, 99).toFixed(2),
        clientsPerSecond: Math.round((calls * batch) / seconds),
      });
    }
    console.log(
      JSON.stringify(
        { benchmark: 'panel-client', simulator: 'separate process, v2.8.11, no added write cost', results },
        null,
        2,
      ),
    );
  } finally {
    client.close();
    child.kill('SIGTERM');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
