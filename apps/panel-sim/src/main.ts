import { parseArgs } from 'node:util';
import { ControlServer, PanelSimulator } from '@fleet/panel-sim';

/**
 * Starts simulated 3x-ui panels on consecutive ports, each with a control server on its own port, and prints
 * how to reach them: `npm run sim -- --panels 5 [--base-port 20530] [--version 2.8] [--json]`.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      panels: { type: 'string', default: '5' },
      'base-port': { type: 'string', default: '20530' },
      version: { type: 'string', default: '2.8' },
      host: { type: 'string', default: '127.0.0.1' },
      json: { type: 'boolean', default: false },
    },
  });
  const count = Number(values.panels);
  const basePort = Number(values['base-port']);
  if (!Number.isInteger(count) || count < 1 || count > 500)
    throw new Error('--panels must be an integer from 1 to 500');
  if (!Number.isInteger(basePort) || basePort < 1 || basePort + 2 * count > 65535)
    throw new Error('--base-port is out of range');
  const version = { '2.8': '2.8.11', '2.6': '2.6.5' }[values.version as string] ?? values.version!;
  if (!/^2\.\d+\.\d+$/.test(version))
    throw new Error('--version: this simulator speaks the v2 API (2.6, 2.8 or an exact 2.x.y)');

  const started: Array<{ url: string; username: string; password: string; controlUrl: string }> = [];
  const stops: Array<() => Promise<void>> = [];
  for (let i = 0; i < count; i++) {
    const panel = await new PanelSimulator({
      port: basePort + i,
      host: values.host,
      version,
      tag: `p${i + 1}`,
    }).start();
    const control = await new ControlServer(panel, { port: basePort + count + i, host: values.host }).start();
    stops.push(
      () => control.stop(),
      () => panel.stop(),
    );
    started.push({ url: panel.url, username: panel.username, password: panel.password, controlUrl: control.url });
  }
  if (values.json) {
    console.log(JSON.stringify(started));
  } else {
    console.log(`${count} simulated 3x-ui v${version} panels (inbound 1 is vless+reality; 1–5 cover every protocol):`);
    for (const panel of started) {
      console.log(`  ${panel.url}  user ${panel.username}  password ${panel.password}  control ${panel.controlUrl}`);
    }
    console.log(
      `faults: curl -X POST <control>/fault -d '{"kind":"refuse"}'  (none|refuse|hang|http500|expire-sessions|xray-error|bad-credentials)`,
    );
  }
  const shutdown = async () => {
    await Promise.all(stops.map((stop) => stop()));
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
