import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { FAULT_KINDS, Fault, PanelSimulator } from './panel-simulator';
import { StatusOverride } from './simulated-host';

/**
 * The simulator's remote control, on its own port so it still answers while the panel refuses connections:
 * `POST /fault {"kind", "latencyMs"?, "rate"?, "loginDelayMs"?, "lostWrites"?, "echo"?}`,
 * `POST /status {"cpu"?, "omit"?, "fields"?}` (what `server/status` answers: a hot CPU, left-out or garbled fields;
 * `{}` restores it), `POST /traffic` and `GET /state`.
 */
export class ControlServer {
  private server: Server | null = null;
  private port: number;
  private readonly host: string;

  constructor(
    private readonly panel: PanelSimulator,
    options: { port?: number; host?: string } = {},
  ) {
    this.port = options.port ?? 0;
    this.host = options.host ?? '127.0.0.1';
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  async start(): Promise<this> {
    const server = createServer((request, response) => {
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      let text = '';
      request.on('data', (chunk) => (text += chunk));
      request.on('end', async () => {
        if (request.method === 'GET' && request.url === '/state') return reply(200, snapshot(this.panel));
        if (request.method === 'POST' && request.url === '/traffic') {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            return reply(400, { error: 'body must be JSON' });
          }
          const deltas = (Array.isArray(parsed) ? parsed : [parsed]) as Array<{
            email: string;
            up: number;
            down: number;
          }>;
          const valid = deltas.every(
            (delta) =>
              typeof delta?.email === 'string' &&
              [delta.up, delta.down].every((bytes) => Number.isSafeInteger(bytes) && bytes >= 0),
          );
          if (!valid) return reply(400, { error: 'body must be {email, up, down} or a list of them (bytes ≥ 0)' });
          return reply(200, { recorded: deltas.length, acceptedBytes: this.panel.state.recordTraffic(deltas) });
        }
        if (request.method === 'POST' && request.url === '/status') {
          let override: unknown;
          try {
            override = JSON.parse(text);
          } catch {
            return reply(400, { error: 'body must be JSON' });
          }
          const problem = statusOverrideProblem(override);
          if (problem) return reply(400, { error: problem });
          this.panel.setStatusOverride(override as StatusOverride);
          return reply(200, { status: this.panel.currentStatusOverride() });
        }
        if (request.method === 'POST' && request.url === '/fault') {
          let fault: Fault;
          try {
            fault = JSON.parse(text) as Fault;
          } catch {
            return reply(400, { error: 'body must be JSON' });
          }
          if (!FAULT_KINDS.includes(fault?.kind))
            return reply(400, { error: `kind must be one of ${FAULT_KINDS.join(', ')}` });
          await this.panel.setFault(fault);
          return reply(200, { fault: this.panel.currentFault() });
        }
        reply(404, { error: 'not found' });
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, this.host, () => resolve()));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

/** Why a `POST /status` body is not an override, or null when it is one. */
function statusOverrideProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'body must be a JSON object';
  const { cpu, omit, fields } = value as Record<string, unknown>;
  if (cpu !== undefined && !(typeof cpu === 'number' && cpu >= 0 && cpu <= 100))
    return 'cpu must be a percent from 0 to 100';
  if (omit !== undefined && !(Array.isArray(omit) && omit.every((field) => typeof field === 'string')))
    return 'omit must be a list of field names';
  if (fields !== undefined && (fields === null || typeof fields !== 'object' || Array.isArray(fields)))
    return 'fields must be an object';
  return null;
}

/** What is on the panel: each inbound with its clients parsed from `settings`. */
export function snapshot(panel: PanelSimulator) {
  return {
    fault: panel.currentFault(),
    status: panel.currentStatusOverride(),
    overlappingWrites: panel.overlappingWrites,
    inbounds: panel.state.inbounds.map((inbound) => ({
      id: inbound.id,
      protocol: inbound.protocol,
      port: inbound.port,
      remark: inbound.remark,
      clients: panel.state.clientsOf(inbound) ?? [],
    })),
  };
}
