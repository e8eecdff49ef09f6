/**
 * Reconcile at fleet scale. (1) 500 simulated panels (one separate process) × 200 clients, no drift: the pass's time
 * against the floor of the 500 `inbounds/list` calls alone at the same parallelism, measured in this run. (2) One
 * panel with 10,000 clients wiped (all but one): the time to restore them against the floor of adding the same
 * 10,000 clients straight to a fresh panel in batches of 500, measured in this run; with no write cost and with a
 * real v2.8 panel's write cost (spec §14). Target for (2): ≤ 1.5× the floor.
 * Run: npm run bench:reconcile   (BENCH_PANELS, BENCH_CLIENTS_PER_PANEL, BENCH_WIPED_CLIENTS to change the sizes)
 */
import { InboundFields, PanelSimulator, REALISTIC_WRITE_COST, WriteCost } from '@fleet/panel-sim';
import { PanelClient, XuiClient } from '@fleet/xui-client';
import { eachLimited } from '../apps/api/src/common/batching/each-limited';
import { NodesRepository } from '../apps/api/src/modules/nodes/nodes.repository';
import { PanelPoolService } from '../apps/api/src/modules/panels/panel-pool.service';
import { ReconcilePassService } from '../apps/api/src/modules/reconcile/reconcile-pass.service';
import { ReconcileService } from '../apps/api/src/modules/reconcile/reconcile.service';
import { startInProcess } from './support/in-process';
import { seedFleet } from './support/seed-fleet';
import { startSimulators } from './support/simulators';

const PANELS = Number(process.env['BENCH_PANELS'] ?? 500);
const PER_PANEL = Number(process.env['BENCH_CLIENTS_PER_PANEL'] ?? 200);
const WIPED = Number(process.env['BENCH_WIPED_CLIENTS'] ?? 10_000);
/** The reconcile pass's parallelism (ReconcilePassService). */
const CONCURRENCY = 8;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function noDrift() {
  const sims = await startSimulators({ panels: PANELS, basePort: 31000 });
  const plane = await startInProcess('fleet_bench_reconcile');
  try {
    await seedFleet(plane.app, plane.secretBox, sims.panels, PER_PANEL);
    const pass = plane.app.get(ReconcilePassService);
    const nodes = await plane.app.get(NodesRepository).findAll();
    const pool = plane.app.get(PanelPoolService);
    const warm = await pass.run(true); // sessions
    const passes: number[] = [];
    const floors: number[] = [];
    let corrected = warm.corrected;
    for (let round = 0; round < 3; round++) {
      let started = performance.now();
      await eachLimited(nodes, CONCURRENCY, async (node) => void (await pool.run(node, (p) => p.listInbounds())));
      floors.push(performance.now() - started);
      started = performance.now();
      const result = await pass.run(true);
      if (!result.ran || result.nodes !== nodes.length) throw new Error(`pass reconciled ${result.nodes} nodes`);
      corrected += result.corrected;
      passes.push(performance.now() - started);
    }
    const passMs = Math.round(median(passes));
    const floorMs = Math.round(median(floors));
    return {
      panels: PANELS,
      clientsPerPanel: PER_PANEL,
      passMs,
      passMsRuns: passes.map(Math.round),
      floor: { listCallsMs: floorMs, listCallsMsRuns: floors.map(Math.round) },
      passVsFloor: +(passMs / floorMs).toFixed(2),
      corrected, // no drift was made: must be 0
    };
  } finally {
    await plane.close();
    sims.child.kill('SIGTERM');
  }
}

async function wiped(writeCost: WriteCost | undefined, label: string) {
  const panel = await new PanelSimulator({ tag: 'wiped', writeCost }).start();
  const floorPanel = await new PanelSimulator({ tag: 'floor', writeCost }).start();
  const plane = await startInProcess(`fleet_bench_reconcile_${label}`, { RECONCILE_MAX_WRITES: String(WIPED) });
  try {
    await seedFleet(plane.app, plane.secretBox, [panel], WIPED);
    const clients = (panel.state.clientsOf(panel.state.findInbound(1)!) ?? []) as PanelClient[];
    const ours = clients.filter((client) => /^u\d+-n\d+$/.test(String(client.email)));
    // The floor: the same clients added straight to a fresh panel, batches of 500.
    const direct = new XuiClient({
      baseUrl: floorPanel.url,
      username: floorPanel.username,
      password: floorPanel.password,
    });
    await direct.listInbounds();
    let started = performance.now();
    for (let at = 0; at < ours.length; at += 500) await direct.addClients(1, ours.slice(at, at + 500));
    const floorMs = Math.round(performance.now() - started);
    direct.close();
    // The wipe: the inbound rewritten with one client left (an operator's edit or a restored backup).
    const { clientStats: _stats, id: _id, tag: _tag, ...whole } = panel.state.view(panel.state.findInbound(1)!, null);
    const settings = JSON.stringify({
      ...JSON.parse(panel.state.findInbound(1)!.settings),
      clients: clients.slice(0, 1),
    });
    panel.state.updateInbound(1, { ...(whole as InboundFields), settings });
    started = performance.now();
    const drift = await plane.app.get(ReconcileService).reconcile(1);
    const restoreMs = Math.round(performance.now() - started);
    const restored = ours.filter((client) =>
      (panel.state.clientsOf(panel.state.findInbound(1)!) ?? []).some((found) => found.email === client.email),
    ).length;
    return {
      writeCost: label,
      clients: ours.length,
      restoreMs,
      floor: { addClientsMs: floorMs },
      restoreVsFloor: +(restoreMs / floorMs).toFixed(2),
      target: 'restoreVsFloor ≤ 1.5',
      missingFound: drift.found.missing,
      missingLeft: drift.missing, // what the pass could not restore: must be 0
      restored,
    };
  } finally {
    await plane.close();
    await panel.stop();
    await floorPanel.stop();
  }
}

async function main(): Promise<void> {
  const fleet = await noDrift();
  const restore = [await wiped(undefined, 'none'), await wiped(REALISTIC_WRITE_COST, 'realistic')];
  console.log(JSON.stringify({ benchmark: 'reconcile', noDrift: fleet, wipedPanel: restore }, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
