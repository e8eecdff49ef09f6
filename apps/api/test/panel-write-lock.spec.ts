import { randomBytes } from 'node:crypto';
import { PanelError } from '@fleet/xui-client';
import { panelLockKey, PanelWriteLock } from '../src/modules/panels/panel-write-lock';
import { startTestApp, TestApp } from './support/test-app';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open(): void } {
  let open = () => undefined as void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('the panel write lock across replicas (real PostgreSQL)', () => {
  let first: TestApp;
  let second: TestApp;
  let locks: [PanelWriteLock, PanelWriteLock];
  const panel = (i: number) => `http://panel-${i}.example:2053/base-${i}/`;

  beforeAll(async () => {
    const env = { PANEL_TIMEOUT_MS: '500' }; // a write waits at most 3 panel timeouts for another replica's
    const secretKey = randomBytes(32);
    first = await startTestApp({ env, secretKey });
    second = await startTestApp({ databaseUrl: first.databaseUrl, env, secretKey });
    locks = [first.app.get(PanelWriteLock), second.app.get(PanelWriteLock)];
  });
  afterAll(async () => {
    await second.stop();
    await first.close();
  });

  const waitingInPostgres = async () =>
    (
      await first.dataSource.query(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = 7300011`,
      )
    )[0].n as number;
  const backends = async () =>
    (
      await first.dataSource.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()`)
    )[0].n as number;

  it('one writer per panel across replicas, and the replicas take turns', async () => {
    let inside = 0;
    let overlaps = 0;
    const order: string[] = [];
    const tracked = (label: string) => async () => {
      if (inside++) overlaps++;
      await sleep(15);
      order.push(label);
      inside--;
    };
    // The first replica writes five times in a row; the second asks once, just after its first write began.
    const burst = (async () => {
      for (let i = 0; i < 5; i++) await locks[0].run(panel(1), tracked(`a${i}`));
    })();
    await sleep(5);
    await Promise.all([locks[1].run(panel(1), tracked('b')), burst]);
    expect(overlaps).toBe(0);
    expect(order.indexOf('b')).toBeLessThanOrEqual(2); // not after the whole burst
    // Nodes that share a panel (another spelling of its URL included) share its lock.
    await Promise.all([
      locks[0].run('HTTP://Panel-1.example:2053/base-1', tracked('c')),
      locks[0].run(panel(1), tracked('d')),
    ]);
    expect(overlaps).toBe(0);
  });

  it('writes to many free panels run at once without taking pooled connections', async () => {
    const before = await backends();
    const allInside = gate();
    let inside = 0;
    let during = 0;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('not all 30 writes were ever running at once'), 10_000);
    });
    const outcome = await Promise.race([
      timedOut,
      Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          locks[0].run(panel(100 + i), async () => {
            if (++inside === 30) {
              during = await backends();
              allInside.open();
            }
            await allInside.opened;
          }),
        ),
      ).then(() => 'all at once'),
    ]);
    clearTimeout(timer);
    expect(outcome).toBe('all at once');
    expect(during).toBeLessThanOrEqual(before + 1); // at most the lock session, opened once
  });

  it('waits for panels another replica is writing to on at most four pooled connections', async () => {
    const held = gate();
    const holding = Array.from({ length: 10 }, (_, i) => locks[1].run(panel(200 + i), () => held.opened));
    await sleep(50);
    let done = 0;
    const waiting = Array.from({ length: 10 }, (_, i) => locks[0].run(panel(200 + i), async () => void done++));
    await sleep(200);
    expect(await waitingInPostgres()).toBe(4);
    expect(done).toBe(0);
    held.open();
    await Promise.all([...holding, ...waiting]);
    expect(done).toBe(10);
    expect(await waitingInPostgres()).toBe(0);
  });

  it('gives up waiting after three panel timeouts with a panel error, and the lock works again after', async () => {
    const held = gate();
    const holding = locks[1].run(panel(300), () => held.opened);
    await sleep(50);
    const started = Date.now();
    const error = await locks[0].run(panel(300), async () => 'never').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PanelError);
    expect([(error as PanelError).kind, (error as PanelError).reason]).toEqual(['unreachable', 'timeout']);
    expect((error as PanelError).message).toContain("waiting for another replica's write to this panel");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    held.open();
    await holding;
    await expect(locks[0].run(panel(300), async () => 'written')).resolves.toBe('written');
  });

  it('a write failing inside the lock releases it', async () => {
    await expect(
      locks[0].run(panel(400), async () => {
        throw new Error('panel said no');
      }),
    ).rejects.toThrow('panel said no');
    await expect(locks[1].run(panel(400), async () => 'next')).resolves.toBe('next');
  });

  it('survives losing its lock session mid-write: the lock goes with it, the next write opens another', async () => {
    const result = await locks[0].run(panel(500), async () => {
      // The session holding this panel's lock dies (a restarted database, a cut connection).
      const [killed] = await first.dataSource.query(
        `SELECT pg_terminate_backend(pid) AS done FROM pg_locks
          WHERE locktype = 'advisory' AND granted AND classid = 7300011 AND objid = $1`,
        [panelLockKey(panel(500)) >>> 0],
      );
      expect(killed?.done).toBe(true);
      return 'written';
    });
    expect(result).toBe('written');
    await expect(locks[1].run(panel(500), async () => 'other')).resolves.toBe('other');
    await expect(locks[0].run(panel(500), async () => 'again')).resolves.toBe('again');
  });
});
