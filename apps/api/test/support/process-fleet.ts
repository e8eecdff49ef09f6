import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { PanelSimulator } from '@fleet/panel-sim';
import { dataSourceOptions } from '../../src/common/database/data-source.options';
import { bootBuiltApp, Started, stopped } from './process';
import { createTestDatabase } from './test-database';

/**
 * For tests that kill the real process: a fresh database, `panelCount` simulated panels, and the built control plane
 * booted, killed (SIGKILL) and booted again on them — one process, or several replicas side by side; everything is
 * torn down after the suite. Call inside `describe`.
 */
export function processFleet(tag: string, panelCount: number, env: Record<string, string>) {
  let database: { url: string; drop(): Promise<void> };
  const running = new Set<Started>();
  const latest = () => [...running].pop()!;
  const fleet = {
    panels: [] as PanelSimulator[],
    dataSource: null as unknown as DataSource,
    /** Starts a control plane (armed with `crashPoint` if given); answers its process, its API and an admin's header. */
    async boot(crashPoint?: string) {
      const booted = await bootBuiltApp({ cwd: workDir, databaseUrl: database.url, crashPoint, env });
      running.add(booted.running);
      return booted;
    },
    /** Kills a control plane with SIGKILL (by default the one started last). */
    async kill(which: Started = latest()): Promise<void> {
      which.child.kill('SIGKILL');
      await fleet.crashed(which);
    },
    /** Waits for a control plane to die by SIGKILL (killed, or at its crash point). */
    async crashed(which: Started = latest()): Promise<void> {
      await stopped(which.child);
      expect(which.child.signalCode).toBe('SIGKILL');
      running.delete(which);
    },
  };
  const workDir = mkdtempSync(join(tmpdir(), `fleet-${tag}-`));
  beforeAll(async () => {
    database = await createTestDatabase();
    fleet.panels = await Promise.all(
      Array.from({ length: panelCount }, (_, i) => new PanelSimulator({ tag: `${tag}${i}` }).start()),
    );
    fleet.dataSource = new DataSource(dataSourceOptions(database.url, 2));
    await fleet.dataSource.initialize();
  });
  afterAll(async () => {
    for (const plane of running) {
      plane.child.kill('SIGKILL');
      await stopped(plane.child);
    }
    if (fleet.dataSource?.isInitialized) await fleet.dataSource.destroy();
    await Promise.all(fleet.panels.map((panel) => panel.stop()));
    await database?.drop();
    rmSync(workDir, { recursive: true, force: true });
  });
  return fleet;
}
