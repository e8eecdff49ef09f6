/**
 * Placements (PUT /api/v1/keys/:id) from two replicas of the built control plane on one database onto one simulated
 * v2.8 panel with its realistic write cost, which loses one of two overlapping writes as a real v2.x panel does.
 * Prints how many 201s have no client on the panel (must be 0), how many writes the panel saw overlap (0 when the
 * replicas take turns), and the throughput against its floor: the same placements from one replica onto a panel of
 * the same kind, measured in this run.
 * Run: npm run bench:placement-replicas   (BENCH_PLACEMENTS, default 400; BENCH_CONCURRENCY, default 32)
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { startBuiltControlPlane } from '@fleet/testing';
import { api, startControlPlane } from './support/control-plane';
import { percentile, SimulatedPanel, startSimulators } from './support/simulators';

const PLACEMENTS = Number(process.env['BENCH_PLACEMENTS'] ?? 400);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 32);

interface PanelState {
  overlappingWrites: number;
  inbounds: Array<{ id: number; clients: Array<{ id?: string }> }>;
}

async function panelState(panel: SimulatedPanel): Promise<PanelState> {
  return (await (await fetch(`${panel.controlUrl}/state`)).json()) as PanelState;
}

/** Places `count` new users from the given replicas in turn; answers the keys of the 201s and the latencies. */
async function place(urls: string[], token: string, firstId: number, location: string) {
  const keys: string[] = [];
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < PLACEMENTS) {
        const i = next++;
        const t0 = performance.now();
        const response = await fetch(`${urls[i % urls.length]}/api/v1/keys/${firstId + i}`, {
          method: 'PUT',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ location }),
        });
        const body = (await response.json()) as { key?: string };
        if (response.status === 201 && body.key) {
          keys.push(body.key);
          latencies.push(performance.now() - t0);
        } else failures[response.status] = (failures[response.status] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    keys,
    figures: {
      created: keys.length,
      failures,
      seconds: +seconds.toFixed(2),
      placementsPerSecond: Math.round(keys.length / seconds),
      p50Ms: +percentile(latencies, 50).toFixed(1),
      p99Ms: +percentile(latencies, 99).toFixed(1),
    },
  };
}

/** The 201s whose client (by the UUID in the key) is not on the panel's inbound 1. */
function lostOn(state: PanelState, keys: string[]): number {
  const onPanel = new Set((state.inbounds.find((inbound) => inbound.id === 1)?.clients ?? []).map((c) => c.id));
  return keys.filter((key) => !onPanel.has(/^vless:\/\/([0-9a-f-]{36})@/.exec(key)?.[1])).length;
}

async function main(): Promise<void> {
  const sims = await startSimulators({ panels: 2, basePort: 21300, writeCost: 'realistic' });
  const secretKey = randomBytes(32).toString('hex'); // both replicas must read what the other encrypted
  const env = { BACKGROUND_TICK_MS: '1000', SECRET_KEY: secretKey };
  const first = await startControlPlane(21290, env).catch((error: Error) => {
    sims.child.kill('SIGTERM');
    throw error;
  });
  const second = await startBuiltControlPlane({
    main: process.env['BENCH_API_MAIN'] ?? resolve(__dirname, '../dist/apps/api/main.js'),
    cwd: process.env['BENCH_API_CWD'] ?? process.cwd(),
    port: 21291,
    output: 'ignore',
    readyTimeoutMs: 30_000,
    env: {
      DATABASE_URL: first.databaseUrl,
      ADMIN_USERNAME: 'bench',
      ADMIN_PASSWORD: 'bench-password',
      LOG_LEVEL: 'error',
      ...env,
    },
  }).catch(async (error: Error) => {
    await first.stop();
    sims.child.kill('SIGTERM');
    throw error;
  });
  try {
    for (const [i, location] of ['solo', 'duo'].entries()) {
      const panel = sims.panels[i];
      const node = await api<{ id: number }>(first.url, first.token, 'POST', '/api/v1/nodes', {
        name: `replicas-${location}`,
        panelUrl: panel.url,
        panelUsername: panel.username,
        panelPassword: panel.password,
        inboundId: 1,
        publicHost: `${location}.example.net`,
        location,
        maxUsers: 10 * PLACEMENTS,
      });
      await api(first.url, first.token, 'POST', `/api/v1/nodes/${node.id}/check-health`);
    }
    const solo = await place([first.url], first.token, 3_000_000, 'solo');
    const duo = await place([first.url, second.url], first.token, 4_000_000, 'duo');
    const [soloPanel, duoPanel] = await Promise.all(sims.panels.map(panelState));
    console.log(
      JSON.stringify(
        {
          benchmark: 'placement-replicas',
          placements: PLACEMENTS,
          concurrency: CONCURRENCY,
          panel: 'simulated v2.8.11 with its realistic write cost (overlapping writes lose one side)',
          twoReplicas: {
            ...duo.figures,
            createdWithoutClient: lostOn(duoPanel, duo.keys),
            overlappingPanelWrites: duoPanel.overlappingWrites,
          },
          floor: {
            replicas: 1,
            ...solo.figures,
            createdWithoutClient: lostOn(soloPanel, solo.keys),
            overlappingPanelWrites: soloPanel.overlappingWrites,
          },
        },
        null,
        2,
      ),
    );
  } finally {
    await second.stop();
    await first.stop();
    sims.child.kill('SIGTERM');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
