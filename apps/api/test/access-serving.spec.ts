import { Access, accessStatus, OPEN_ACCESS, servesTraffic, servingSql } from '../src/modules/users/access-status';
import { useMigratedDatabase } from './support/test-database';

const DAY = 86_400_000;
const CASES: Array<Partial<Access> & { deleted?: boolean }> = [
  {},
  { enabled: false },
  { expiresAt: new Date(Date.now() - DAY) },
  { expiresAt: new Date(Date.now() + DAY) },
  { trafficLimitBytes: 10, usedBytes: 10 },
  { trafficLimitBytes: 10, usedBytes: 9 },
  { trafficLimitBytes: 0, usedBytes: 1e12 },
  { holdDays: 30 },
  { holdDays: 30, trafficLimitBytes: 5, usedBytes: 5 },
  { deleted: true },
];

/** Which users may use the service exists once in TypeScript and once in SQL; they must agree. */
describe('access: the serving rule and its SQL fragment agree (real PostgreSQL)', () => {
  const db = useMigratedDatabase();

  it.each(CASES)('%p', async ({ deleted, ...fields }) => {
    const access = { ...OPEN_ACCESS, ...fields };
    const [{ id }] = await db().query(
      `INSERT INTO vpn_users (uuid, subscription_token, enabled, expires_at, hold_days, traffic_limit_bytes, used_bytes,
                              deleted_at)
       VALUES (gen_random_uuid(), md5(random()::text), $1, $2, $3, $4, $5, $6) RETURNING id`,
      [
        access.enabled,
        access.expiresAt,
        access.holdDays,
        access.trafficLimitBytes,
        access.usedBytes,
        deleted ? new Date() : null,
      ],
    );
    const [row] = await db().query(`SELECT ${servingSql('u')} AS serving FROM vpn_users u WHERE id = $1`, [id]);
    expect(row.serving).toBe(!deleted && servesTraffic(accessStatus(access, new Date())));
  });
});
