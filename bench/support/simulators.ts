import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

export interface SimulatedPanel {
  url: string;
  username: string;
  password: string;
  controlUrl: string;
  subUrl: string;
}

/** Simulated panels in a separate process (the built `npm run sim`), so they do not share the event loop. */
export async function startSimulators(options: {
  panels: number;
  basePort: number;
  version?: string;
  writeCost?: 'none' | 'realistic';
}): Promise<{ child: ChildProcess; panels: SimulatedPanel[] }> {
  const child = spawn(process.execPath, [
    resolve(__dirname, '../../dist/apps/panel-sim/main.js'),
    '--panels',
    String(options.panels),
    '--base-port',
    String(options.basePort),
    '--version',
    options.version ?? '2.8',
    '--write-cost',
    options.writeCost ?? 'none',
    '--json',
  ]);
  const line = await new Promise<string>((done, fail) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) done(out.split('\n')[0]);
    });
    child.stderr!.on('data', (chunk) => process.stderr.write(chunk));
    child.once('exit', (code) => fail(new Error(`simulator exited with ${code}`)));
  });
  return { child, panels: JSON.parse(line) as SimulatedPanel[] };
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
