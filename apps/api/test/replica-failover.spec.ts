import { randomUUID } from 'node:crypto';
import { checkInvariants, eventually } from './support/fleet';
import { addPanelsAsNodes } from './support/process';
import { processFleet } from './support/process-fleet';

const LEASE_SECONDS = 5;
const USERS = 300;

interface JobBody {
  id: number;
  kind: string;
  status: string;
  total: number;
  done: number;
  failed: number;
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
}

/**
 * Two replicas on one database; a node falls and one of them runs the failover. That replica is SIGKILLed in the
 * middle of a batch (its pending rows left behind). The other takes the job over once the lease runs out, resolves
 * the dead replica's pending rows at once instead of waiting PENDING_TIMEOUT_SECONDS for them, and finishes within
 * the lease + 10 s, without a `failover.stalled` while seats are free.
 */
describe('failover taken over from a replica killed mid-batch (two built replicas, one database)', () => {
  const fleet = processFleet('takeover', 3, {
    HEALTH_INTERVAL_MS: '0',
    USAGE_INTERVAL_MS: '0',
    ACCESS_INTERVAL_MS: '0',
    RECONCILE_INTERVAL_MS: '0',
    JOB_LEASE_SECONDS: String(LEASE_SECONDS),
    PENDING_TIMEOUT_SECONDS: '60',
    JOB_CONCURRENCY: '20',
  });

  it('the survivor finishes the job within the lease + 10 s of the kill, with no false stall', async () => {
    const first = await fleet.boot();
    const second = await fleet.boot();
    const { api, auth } = first;
    const { panels, dataSource } = fleet;
    const nodeIds = await addPanelsAsNodes(api, auth, panels, 'takeover', { maxUsers: 1000 });
    panels[0].state.addClients(
      1,
      JSON.stringify({
        clients: Array.from({ length: USERS }, (_, i) => ({
          id: randomUUID(),
          email: `seeded-${i}`,
          enable: true,
          flow: '',
          totalGB: 0,
          expiryTime: 0,
        })),
      }),
      Date.now(),
    );
    const adopted = (await api.post(`/api/v1/nodes/${nodeIds[0]}/adopt`).set(auth).expect(200)).body;
    const users = adopted.imported as number;
    expect(users).toBeGreaterThanOrEqual(USERS);
    // The targets answer slowly, so the failover is still under way when its replica dies.
    for (const panel of panels.slice(1)) await panel.setFault({ kind: 'none', latencyMs: 250 });

    await panels[0].setFault({ kind: 'refuse' });
    for (let i = 0; i < 3; i++) await api.post(`/api/v1/nodes/${nodeIds[0]}/check-health`).set(auth).expect(200);
    const pendingRows = async () =>
      (await dataSource.query(`SELECT count(*)::int AS n FROM assignments WHERE state = 'pending'`))[0].n as number;
    await eventually(pendingRows, (n) => n > 0, 15_000);
    const [running] = (await api.get('/api/v1/jobs').set(auth).expect(200)).body.items as JobBody[];
    expect(running).toMatchObject({ kind: 'failover', status: 'running', leaseOwner: expect.any(String) });
    expect(Date.parse(running.leaseExpiresAt!)).toBeGreaterThan(Date.now() - 1000);
    expect(Date.parse(running.leaseExpiresAt!)).toBeLessThanOrEqual(Date.now() + LEASE_SECONDS * 1000 + 1000);
    // The lease owner is the replica's id: host, process id, a random tag.
    const ownerPid = Number(running.leaseOwner!.split(':')[1]);
    const [dying, survivor] = ownerPid === first.running.child.pid ? [first, second] : [second, first];
    expect(dying.running.child.pid).toBe(ownerPid);

    expect(await pendingRows()).toBeGreaterThan(0);
    const killedAt = Date.now();
    await fleet.kill(dying.running);

    const job = await eventually(
      async () => (await survivor.api.get(`/api/v1/jobs/${running.id}`).set(survivor.auth).expect(200)).body as JobBody,
      (view) => view.status === 'completed' || view.status === 'failed',
      (LEASE_SECONDS + 30) * 1000,
    );
    const seconds = (Date.now() - killedAt) / 1000;
    expect(job).toMatchObject({ status: 'completed', total: users, done: users, failed: 0 });
    expect(seconds).toBeLessThanOrEqual(LEASE_SECONDS + 10);
    const [{ stalls }] = await dataSource.query(
      `SELECT count(*)::int AS stalls FROM events WHERE type = 'failover.stalled'`,
    );
    expect(stalls).toBe(0);
    for (const panel of panels.slice(1)) await panel.setFault({ kind: 'none' });
    await checkInvariants({ dataSource }, new Map(nodeIds.slice(1).map((id, i) => [id, panels[i + 1]])));
  });
});
