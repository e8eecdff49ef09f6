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
 * booted, killed (SIGKILL) and booted again on them; everything is torn down after the suite. Call inside `describe`.
 */
export function processFleet(tag: string, panelCount: number, env: Record<string, string>) {
  let database: { url: string; drop(): Promise<void> };
  let running: Started | null = null;
  const fleet = {
    panels: [] as PanelSimulator[],
    dataSource: null as unknown as DataSource,
    /** Starts the control plane (armed with `crashPoint` if given); answers its API and an admin's header. */
    async boot(crashPoint?: string) {
      const booted = await bootBuiltApp({ cwd: workDir, databaseUrl: database.url, crashPoint, env });
      running = booted.running;
      return booted;
    },
    async kill(): Promise<void> {
      running!.child.kill('SIGKILL');
      await fleet.crashed();
    },
    /** Waits for the process to die by SIGKILL (killed, or at its crash point). */
    async crashed(): Promise<void> {
      await stopped(running!.child);
      expect(running!.child.signalCode).toBe('SIGKILL');
      running = null;
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
    if (running) {
      running.child.kill('SIGKILL');
      await stopped(running.child);
    }
    if (fleet.dataSource?.isInitialized) await fleet.dataSource.destroy();
    await Promise.all(fleet.panels.map((panel) => panel.stop()));
    await database?.drop();
    rmSync(workDir, { recursive: true, force: true });
  });
  return fleet;
}
