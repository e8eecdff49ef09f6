/**
 * A health sweep of 500 simulated panels (one separate process) of which 20 % hang (accept the connection, never
 * answer): the sweep's wall time against the per-check timeout, at the default parallelism (32) and at 128.
 * Run: npm run bench:health-sweep   (BENCH_PANELS, BENCH_HANGING_SHARE to change the size)
 */
import { api, startControlPlane } from './support/control-plane';
import { SimulatedPanel, startSimulators } from './support/simulators';

const PANELS = Number(process.env['BENCH_PANELS'] ?? 500);
const HANGING_SHARE = Number(process.env['BENCH_HANGING_SHARE'] ?? 0.2);
const TIMEOUT_MS = 4000;

async function sweepWith(concurrency: number, panels: SimulatedPanel[], port: number) {
  const plane = await startControlPlane(port, {
    HEALTH_INTERVAL_MS: '0',
    HEALTH_TIMEOUT_MS: String(TIMEOUT_MS),
    HEALTH_CONCURRENCY: String(concurrency),
  });
  try {
    for (const [i, panel] of panels.entries()) {
      await api(plane.url, plane.token, 'POST', '/api/v1/nodes', {
        name: `sweep-${i + 1}`,
        panelUrl: panel.url,
        panelUsername: panel.username,
        panelPassword: panel.password,
        inboundId: 1,
      });
    }
    await api(plane.url, plane.token, 'POST', '/api/v1/nodes/check-health'); // warm: sessions, first checks
    const runs: number[] = [];
    let outcomes: Array<{ ok: boolean; responseTimeMs: number }> = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      outcomes = await api(plane.url, plane.token, 'POST', '/api/v1/nodes/check-health');
      runs.push(Math.round(performance.now() - started));
    }
    const healthy = outcomes
      .filter((o) => o.ok)
      .map((o) => o.responseTimeMs)
      .sort((a, b) => a - b);
    return {
      concurrency,
      sweepMs: runs,
      sweepsOfTimeout: +(Math.min(...runs) / TIMEOUT_MS).toFixed(2),
      failedChecks: outcomes.filter((o) => !o.ok).length,
      healthyCheckP50Ms: healthy[Math.floor(healthy.length / 2)],
    };
  } finally {
    await plane.stop();
  }
}

async function main(): Promise<void> {
  const sims = await startSimulators({ panels: PANELS, basePort: 23000 });
  try {
    const hanging = sims.panels.filter((_, i) => i % Math.round(1 / HANGING_SHARE) === 0);
    for (const panel of hanging) {
      await fetch(`${panel.controlUrl}/fault`, { method: 'POST', body: JSON.stringify({ kind: 'hang' }) });
    }
    const results = [await sweepWith(32, sims.panels, 22990), await sweepWith(128, sims.panels, 22991)];
    console.log(
      JSON.stringify(
        { benchmark: 'health-sweep', panels: PANELS, hanging: hanging.length, checkTimeoutMs: TIMEOUT_MS, results },
        null,
        2,
      ),
    );
  } finally {
    sims.child.kill('SIGTERM');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
