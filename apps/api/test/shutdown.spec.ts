import { Agent, request as httpRequest } from 'node:http';
import { fleetEmails } from './support/fleet';
import { addPanelsAsNodes, stopped } from './support/process';
import { processFleet } from './support/process-fleet';

type Outcome = { status: number; connection: string | undefined } | { error: string };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * SIGTERM to the real process while requests are in flight and keep-alive clients keep asking: every request that
 * reached the process is answered in full (the listener closes, so a new connection is refused, never cut), the
 * answers after the signal say `Connection: close`, the work those requests started is done, and the process exits
 * with 0 within SHUTDOWN_TIMEOUT_MS.
 */
describe('graceful stop on SIGTERM (built app)', () => {
  const SHUTDOWN_TIMEOUT_MS = 15_000;
  const fleet = processFleet('stop', 1, {
    HEALTH_INTERVAL_MS: '0',
    USAGE_INTERVAL_MS: '0',
    ACCESS_INTERVAL_MS: '0',
    RECONCILE_INTERVAL_MS: '0',
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
  });

  it('finishes the requests in flight, cuts none, and exits 0 within the bound', async () => {
    const { running, api, auth } = await fleet.boot();
    const [nodeId] = await addPanelsAsNodes(api, auth, fleet.panels, 'stop');
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    const call = (method: string, path: string, body?: unknown) =>
      new Promise<Outcome>((resolve) => {
        const outgoing = httpRequest(
          `${running.url}${path}`,
          { method, agent, headers: { ...auth, 'Content-Type': 'application/json' } },
          (response) => {
            response.resume();
            response.on('end', () =>
              resolve({ status: response.statusCode!, connection: response.headers.connection }),
            );
            response.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
          },
        );
        outgoing.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
        outgoing.end(body === undefined ? undefined : JSON.stringify(body));
      });
    // Connections kept alive, some of them idle when the signal comes.
    await Promise.all(Array.from({ length: 8 }, () => call('GET', '/api/v1/nodes')));
    // Slow requests: every panel call now takes 700 ms, so these are in the middle of their work at the signal.
    await fleet.panels[0].setFault({ kind: 'none', latencyMs: 700 });
    const slow = [
      ...[1, 2, 3].map((i) => call('PUT', `/api/v1/keys/${7000 + i}`, {})),
      call('POST', `/api/v1/nodes/${nodeId}/check-health`),
    ];
    // Clients that keep asking on their kept-alive connections until the process is gone (or past the bound).
    let signalledAt = Infinity;
    const chatty = Array.from({ length: 4 }, async () => {
      const seen: Outcome[] = [];
      for (;;) {
        if (Date.now() > signalledAt + SHUTDOWN_TIMEOUT_MS)
          return [...seen, { error: 'still answering past the bound' }];
        const outcome = await call('GET', '/api/v1/nodes?limit=5');
        seen.push(outcome);
        if (signalledAt < Infinity && 'error' in outcome) return seen;
      }
    });
    await sleep(300);
    signalledAt = Date.now();
    running.child.kill('SIGTERM');

    const answers = await Promise.all(slow);
    const conversations = await Promise.all(chatty);
    for (const seen of conversations) {
      const failures = seen.filter((outcome): outcome is { error: string } => 'error' in outcome);
      // The only failure is the last one: a new connection refused once the listener closed. Nothing was cut.
      expect(failures.map((failure) => failure.error)).toEqual(['ECONNREFUSED']);
      expect(seen.slice(0, -1).every((outcome) => 'status' in outcome && outcome.status === 200)).toBe(true);
    }
    expect(answers.map((answer) => ('status' in answer ? answer.status : answer.error))).toEqual([201, 201, 201, 200]);
    // Answered after the signal: each told its client not to send more on that connection.
    expect(answers.every((answer) => 'connection' in answer && answer.connection === 'close')).toBe(true);
    await stopped(running.child);
    expect(running.child.exitCode).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    agent.destroy();

    // The placements the slow requests made are whole: each user's client is on the panel, nothing is left pending.
    expect(fleetEmails(fleet.panels[0])).toHaveLength(3);
    const [{ pending }] = await fleet.dataSource.query(
      `SELECT count(*)::int AS pending FROM assignments WHERE state = 'pending'`,
    );
    expect(pending).toBe(0);
  });
});
