/**
 * 10,000 placements (PUT /api/v1/keys/:id) at concurrency 64 over 5 simulated panels in a separate process, with
 * mixed weights and capacities, through the built control plane (its own process, real PostgreSQL).
 * Prints throughput, latency, each node's deviation from its weighted share, over-capacity count, and the
 * add-client floor (one client per call, and batches of 50, on a panel of the same simulator) measured in this run.
 * With BENCH_GROUPS=3, the layout is repeated in 3 node groups new users all get: every placement is 3 seats, and
 * `seatsPerSecond` is what compares with the floor.
 * Run: npm run bench:placement   (BENCH_PLACEMENTS, BENCH_CONCURRENCY to change the size)
 */
import { XuiClient } from '@fleet/xui-client';
import { targetShares } from '../apps/api/src/modules/balancer/rebalance.planner';
import { benchClient } from './panel-client';
import { api, startControlPlane } from './support/control-plane';
import { percentile, startSimulators } from './support/simulators';

const PLACEMENTS = Number(process.env['BENCH_PLACEMENTS'] ?? 10_000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 64);
const GROUPS = Number(process.env['BENCH_GROUPS'] ?? 1);
const NODES = [
  { maxUsers: 4000, priority: 100, weight: 1 },
  { maxUsers: 4000, priority: 100, weight: 2 },
  { maxUsers: 3000, priority: 150, weight: 1 },
  { maxUsers: 2000, priority: 100, weight: 1.5 },
  { maxUsers: 6000, priority: 50, weight: 1 },
];

async function addClientFloor(panel: { url: string; username: string; password: string }) {
  const client = new XuiClient({ baseUrl: panel.url, username: panel.username, password: panel.password });
  await client.listInbounds();
  const measure = async (batch: number, calls: number) => {
    const started = performance.now();
    for (let i = 0; i < calls; i++) {
      await client.addClients(
        2,
        Array.from({ length: batch }, (_, k) => benchClient(`floor-${batch}-${i}-${k}`)),
      );
    }
    return Math.round((batch * calls) / ((performance.now() - started) / 1000));
  };
  const result = {
    oneClientPerCallPerSecond: await measure(1, 300),
    fiftyPerCallClientsPerSecond: await measure(50, 20),
  };
  client.close();
  return result;
}

async function main(): Promise<void> {
  const layout = Array.from({ length: GROUPS }, (_, group) => NODES.map((spec) => ({ ...spec, group }))).flat();
  const sims = await startSimulators({ panels: layout.length + 1, basePort: 21100 });
  const plane = await startControlPlane(21090, { BACKGROUND_TICK_MS: '1000' }).catch((error: Error) => {
    sims.child.kill('SIGTERM');
    throw error;
  });
  try {
    const floor = await addClientFloor(sims.panels[layout.length]);
    const [{ id: firstGroup }] = await api<Array<{ id: number }>>(plane.url, plane.token, 'GET', '/api/v1/groups');
    const groupIds = [firstGroup];
    for (let g = 1; g < GROUPS; g++) {
      const body = { name: `group-${g + 1}`, defaultForNewUsers: true };
      groupIds.push((await api<{ id: number }>(plane.url, plane.token, 'POST', '/api/v1/groups', body)).id);
    }
    const nodeIds: number[] = [];
    for (const [i, { group, ...spec }] of layout.entries()) {
      const panel = sims.panels[i];
      const node = await api<{ id: number }>(plane.url, plane.token, 'POST', '/api/v1/nodes', {
        name: `bench-${i + 1}`,
        panelUrl: panel.url,
        panelUsername: panel.username,
        panelPassword: panel.password,
        inboundId: 1,
        publicHost: `n${i + 1}.example.net`,
        groupId: groupIds[group],
        ...spec,
      });
      await api(plane.url, plane.token, 'POST', `/api/v1/nodes/${node.id}/check-health`);
      nodeIds.push(node.id);
    }

    const latencies: number[] = [];
    const failures: Record<string, number> = {};
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < PLACEMENTS) {
          const telegramId = 1_000_000 + next++;
          const t0 = performance.now();
          const response = await fetch(`${plane.url}/api/v1/keys/${telegramId}`, {
            method: 'PUT',
            headers: { Authorization: `Bearer ${plane.token}`, 'Content-Type': 'application/json' },
            body: '{}',
          });
          await response.arrayBuffer();
          if (response.status === 201) latencies.push(performance.now() - t0);
          else failures[response.status] = (failures[response.status] ?? 0) + 1;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);

    const loads = await api<Array<{ nodeId: number; currentUsers: number; maxUsers: number }>>(
      plane.url,
      plane.token,
      'GET',
      '/api/v1/balancer/loads',
    );
    // Each group shares out its users (one seat each) by weight, as one group did before.
    const expected = new Map<number, number>();
    for (let g = 0; g < GROUPS; g++) {
      const ids = nodeIds.slice(g * NODES.length, (g + 1) * NODES.length);
      const shares = targetShares(
        NODES.map((spec, i) => ({ id: ids[i], users: i === 0 ? latencies.length : 0, ...spec })),
      );
      for (const [id, share] of shares) expected.set(id, share);
    }
    console.log(
      JSON.stringify(
        {
          benchmark: 'placement',
          placements: PLACEMENTS,
          concurrency: CONCURRENCY,
          created: latencies.length,
          failures,
          seconds: +seconds.toFixed(2),
          placementsPerSecond: Math.round(latencies.length / seconds),
          groups: GROUPS,
          seatsPerSecond: Math.round((latencies.length * GROUPS) / seconds),
          p50Ms: +percentile(latencies, 50).toFixed(1),
          p99Ms: +percentile(latencies, 99).toFixed(1),
          overCapacityNodes: loads.filter((l) => l.currentUsers > l.maxUsers).length,
          nodes: loads.map((l) => ({
            nodeId: l.nodeId,
            users: l.currentUsers,
            maxUsers: l.maxUsers,
            weightedShare: expected.get(l.nodeId),
            deviationPercent: +(
              (100 * (l.currentUsers - expected.get(l.nodeId)!)) /
              Math.max(1, expected.get(l.nodeId)!)
            ).toFixed(2),
          })),
          floor: { simulator: 'same process as the fleet panels, v2.8.11, no write cost', ...floor },
        },
        null,
        2,
      ),
    );
  } finally {
    await plane.stop();
    sims.child.kill('SIGTERM');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
