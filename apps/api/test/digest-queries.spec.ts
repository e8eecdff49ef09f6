import { DataSource } from 'typeorm';
import { UsersRepository } from '../src/modules/users/users.repository';
import { useMigratedDatabase } from './support/test-database';

/** The data source, except that each query is first explained; the plans are collected. */
function explaining(dataSource: DataSource, plans: string[]): DataSource {
  return new Proxy(dataSource, {
    get(target, key) {
      if (key !== 'query') return Reflect.get(target, key);
      return async (sql: string, parameters?: unknown[]) => {
        const [{ 'QUERY PLAN': plan }] = await target.query(`EXPLAIN (FORMAT JSON) ${sql}`, parameters);
        plans.push(JSON.stringify(plan));
        return target.query(sql, parameters);
      };
    },
  });
}

describe('the daily digest’s user queries (real PostgreSQL)', () => {
  const dataSource = useMigratedDatabase();

  it('read the users whose plan ends soon off the expiry index, never the whole table', async () => {
    // 50 000 users whose plans end over the next ~5.7 years, one every hour; a tenth of them disabled.
    await dataSource().query(
      `INSERT INTO vpn_users (telegram_id, uuid, subscription_token, status, expires_at, username)
       SELECT g, gen_random_uuid(), md5(g::text), CASE WHEN g % 10 = 0 THEN 'disabled' ELSE 'active' END,
              now() + g * interval '1 hour' - interval '30 minutes', CASE WHEN g % 2 = 0 THEN 'user-' || g END
         FROM generate_series(1, 50000) g`,
    );
    await dataSource().query(`ANALYZE vpn_users`);
    const plans: string[] = [];
    const users = new UsersRepository(explaining(dataSource(), plans));

    expect(await users.countExpiringSoon(48)).toBe(48 - 4);
    const soonest = await users.soonestExpiring(48, 5);
    expect(soonest.map((user) => [user.telegramId, user.username])).toEqual([
      [1, null],
      [2, 'user-2'],
      [3, null],
      [4, 'user-4'],
      [5, null],
    ]);
    expect(plans).toHaveLength(2);
    for (const plan of plans) {
      expect(plan).toContain('"Index Name":"vpn_users_serving_by_expiry"');
      expect(plan).not.toContain('Seq Scan');
    }
  });
});
