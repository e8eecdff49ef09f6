import { randomBytes } from 'node:crypto';
import { HousekeepingService } from '../src/modules/housekeeping/housekeeping.service';
import { eventually } from './support/fleet';
import { startTestApp } from './support/test-app';

describe('scheduled housekeeping', () => {
  it('runs on its own schedule with scheduled health sweeps off', async () => {
    const t = await startTestApp({ env: { HEALTH_INTERVAL_MS: '0', HOUSEKEEPING_INTERVAL_MS: '200' } });
    try {
      await t.dataSource.query(
        `INSERT INTO events (type, actor, payload, created_at)
         SELECT 'node.up', 'test', '{}', now() - interval '91 days' - g * interval '1 second' FROM generate_series(1, 10) g`,
      );
      await t.dataSource.query(
        `INSERT INTO user_count_changes (status, deleted, n) VALUES ('active', false, 2), ('active', false, -2)`,
      );
      const count = async (sql: string) => (await t.dataSource.query(sql))[0].n as number;
      const left = () =>
        count(
          `SELECT ((SELECT count(*) FROM events WHERE created_at < now() - interval '90 days')
                 + (SELECT count(*) FROM user_count_changes))::int AS n`,
        );
      expect(await eventually(left, (n) => n === 0, 10_000)).toBe(0);
      expect(await count(`SELECT count(*)::int AS n FROM task_runs WHERE name = 'health-sweep'`)).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('two API processes on one database run it once per tick', async () => {
    // A 10-minute interval: the timers never fire during the test; the ticks are run by hand, at the same moment.
    const env = { HOUSEKEEPING_INTERVAL_MS: '600000' };
    const secretKey = randomBytes(32);
    const first = await startTestApp({ env, secretKey });
    const second = await startTestApp({ databaseUrl: first.databaseUrl, env, secretKey });
    try {
      const replicas = [first, second].map((app) => app.app.get(HousekeepingService));
      const ran = await Promise.all([...replicas, ...replicas].map((replica) => replica.tick()));
      expect(ran.filter(Boolean)).toHaveLength(1);
    } finally {
      await second.close();
      await first.close();
    }
  });
});
