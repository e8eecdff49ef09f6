/**
 * The scheduled access pass at two fleet sizes with the same work: 100,000 users of whom 1,000 are due (their plan
 * has just expired), then 10,000 users with 1,000 due. The pass must cost what changes, not what the fleet holds, so
 * the two times should be close. Users are written straight into a fresh database; the pass runs in-process.
 * Run: npm run bench:access-pass   (BENCH_ACCESS_LARGE, BENCH_ACCESS_SMALL, BENCH_ACCESS_DUE to change the sizes)
 */
import { DataSource } from 'typeorm';
import { AccessPassService } from '../apps/api/src/modules/access/access-pass.service';
import { startInProcess } from './support/in-process';

const LARGE = Number(process.env['BENCH_ACCESS_LARGE'] ?? 100_000);
const SMALL = Number(process.env['BENCH_ACCESS_SMALL'] ?? 10_000);
const DUE = Number(process.env['BENCH_ACCESS_DUE'] ?? 1_000);

async function measure(users: number): Promise<{ users: number; due: number; passMs: number; expired: number }> {
  const plane = await startInProcess('fleet_bench_access');
  try {
    const app = plane.app;
    const dataSource = app.get(DataSource);
    // Not due: plans a year away (and some never); due: expired a minute ago, still marked active.
    await dataSource.query(
      `INSERT INTO vpn_users (telegram_id, uuid, subscription_token, expires_at, status)
       SELECT g, gen_random_uuid(), md5(g::text || random()::text),
              CASE WHEN g <= $2 THEN now() - interval '1 minute'
                   WHEN g % 3 = 0 THEN NULL ELSE now() + interval '365 days' END,
              'active'
         FROM generate_series(1, $1) AS g`,
      [users, DUE],
    );
    await dataSource.query('ANALYZE vpn_users');
    const pass = app.get(AccessPassService);
    const started = performance.now();
    let expired = 0;
    for (let result = await pass.run(); result.expired > 0; result = await pass.run()) expired += result.expired;
    return { users, due: DUE, passMs: Math.round(performance.now() - started), expired };
  } finally {
    await plane.close();
  }
}

async function main(): Promise<void> {
  const large = await measure(LARGE);
  const small = await measure(SMALL);
  console.log(
    JSON.stringify(
      {
        benchmark: 'access-pass',
        large,
        small,
        // The floor: the same due work among 10× fewer users.
        floor: { passMsWithSmallFleet: small.passMs },
        largeVsSmall: +(large.passMs / small.passMs).toFixed(2),
      },
      null,
      2,
    ),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
