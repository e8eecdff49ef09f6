import { randomBytes } from 'node:crypto';
import { PanelSimulator } from '@fleet/panel-sim';
import { SecretBox } from '../../common/crypto/secret-box';
import { loadConfig } from '../../config/app-config';
import { NodeEntity } from '../nodes/node.entity';
import { PanelPoolService } from './panel-pool.service';
import { PanelWriteLock } from './panel-write-lock';

describe('PanelPoolService (simulated panel over a socket)', () => {
  const secrets = new SecretBox(randomBytes(32));
  let panel: PanelSimulator;
  let pool: PanelPoolService;

  const node = (overrides: Partial<NodeEntity> = {}) =>
    Object.assign(new NodeEntity(), {
      id: 1,
      name: 'n1',
      panelUrl: panel.url,
      panelUsername: panel.username,
      panelPasswordEncrypted: secrets.encrypt(panel.password),
      panelApiTokenEncrypted: null,
      tlsVerify: true,
      ...overrides,
    });

  beforeEach(async () => {
    panel = await new PanelSimulator({ writeCost: { fixedMs: 20, perStoredClientMs: 0, perBatchClientMs: 0 } }).start();
    // This process alone: no other replica to keep apart from (the lock itself is tested on PostgreSQL).
    const ownOrderOnly = { run: (_panelUrl: string, work: () => Promise<unknown>) => work() } as PanelWriteLock;
    pool = new PanelPoolService(secrets, loadConfig({}), ownOrderOnly);
  });
  afterEach(async () => {
    pool.onModuleDestroy();
    await panel.stop();
  });

  it('reuses one client, and so one session, per node', async () => {
    const n = node();
    for (let i = 0; i < 3; i++) await pool.run(n, (client) => client.listInbounds());
    expect(panel.calls.get('login')).toBe(1);
  });

  it('rebuilds the client when the credentials change', async () => {
    await pool.run(node(), (client) => client.listInbounds());
    const changed = node({ panelPasswordEncrypted: secrets.encrypt('wrong') });
    await expect(pool.run(changed, (client) => client.listInbounds())).rejects.toMatchObject({ kind: 'auth-failed' });
    await pool.run(node(), (client) => client.listInbounds());
    expect(panel.calls.get('login')).toBe(3);
  });

  it('keeps at most four calls in flight to one panel', async () => {
    let inFlight = 0;
    let peak = 0;
    const n = node();
    await Promise.all(
      Array.from({ length: 12 }, () =>
        pool.run(n, async (client) => {
          peak = Math.max(peak, ++inFlight);
          await client.serverStatus();
          await new Promise((resolve) => setTimeout(resolve, 10));
          inFlight--;
        }),
      ),
    );
    expect(peak).toBe(4);
  });
});
