import { parseArgs } from 'node:util';
import { ControlServer, PanelSimulator, REALISTIC_WRITE_COST } from '@fleet/panel-sim';
import { PanelClient, buildShareLink } from '@fleet/xui-client';

const VERSION_ALIASES: Record<string, string> = { '2.6': '2.6.5', '2.8': '2.8.11', '3.0': '3.0.2', '3.1': '3.1.0' };

/**
 * Starts simulated 3x-ui panels on consecutive ports: panel i on base+i, its control server on base+N+i and its
 * subscription listener on base+2N+i. Prints how to reach them:
 * `npm run sim -- --panels 5 [--base-port 20530] [--version 2.8|3.1] [--write-cost none|realistic] [--json]`.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      panels: { type: 'string', default: '5' },
      'base-port': { type: 'string', default: '20530' },
      version: { type: 'string', default: '2.8' },
      host: { type: 'string', default: '127.0.0.1' },
      json: { type: 'boolean', default: false },
      'write-cost': { type: 'string', default: 'none' },
    },
  });
  const count = Number(values.panels);
  const basePort = Number(values['base-port']);
  if (!Number.isInteger(count) || count < 1 || count > 500)
    throw new Error('--panels must be an integer from 1 to 500');
  if (!Number.isInteger(basePort) || basePort < 1 || basePort + 3 * count > 65535)
    throw new Error('--base-port is out of range');
  const version = VERSION_ALIASES[values.version as string] ?? values.version!;
  if (!/^[23]\.\d+\.\d+$/.test(version)) throw new Error('--version: 2.6, 2.8, 3.0, 3.1 or an exact 2.x.y / 3.x.y');

  if (!['none', 'realistic'].includes(values['write-cost']!)) throw new Error('--write-cost: none or realistic');
  const writeCost = values['write-cost'] === 'realistic' ? REALISTIC_WRITE_COST : undefined;

  const started: Array<{ url: string; username: string; password: string; controlUrl: string; subUrl: string }> = [];
  const stops: Array<() => Promise<void>> = [];
  for (let i = 0; i < count; i++) {
    const panel = await new PanelSimulator({
      port: basePort + i,
      host: values.host,
      version,
      tag: `p${i + 1}`,
      writeCost,
      subscription: {
        port: basePort + 2 * count + i,
        shareLink: (inbound, client, host) => buildShareLink(inbound, client as PanelClient, host),
      },
    }).start();
    const control = await new ControlServer(panel, { port: basePort + count + i, host: values.host }).start();
    stops.push(
      () => control.stop(),
      () => panel.stop(),
    );
    started.push({
      url: panel.url,
      username: panel.username,
      password: panel.password,
      controlUrl: control.url,
      subUrl: panel.subscription!.url(''),
    });
  }
  if (values.json) {
    console.log(JSON.stringify(started));
  } else {
    console.log(`${count} simulated 3x-ui v${version} panels (inbound 1 is vless+reality; 1–5 cover every protocol):`);
    for (const panel of started) {
      console.log(
        `  ${panel.url}  user ${panel.username}  password ${panel.password}  control ${panel.controlUrl}  sub ${panel.subUrl}<subId>`,
      );
    }
    console.log(
      `faults: curl -X POST <control>/fault -d '{"kind":"refuse"}'  (none|refuse|hang|http500|expire-sessions|xray-error|bad-credentials|echo)`,
    );
    console.log(`hot CPU: curl -X POST <control>/status -d '{"cpu":97}'  (back to normal: -d '{}')`);
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
