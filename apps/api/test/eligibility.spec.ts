import { eligibilityFactsSql, eligibleSql, ineligibleReason } from '../src/modules/nodes/node-eligibility';
import { ELIGIBILITY_CASES, facts } from '../src/modules/nodes/node-eligibility.testing';
import { useMigratedDatabase } from './support/test-database';

/** The eligibility rule exists once in TypeScript and once in SQL; they must agree on every case. */
describe('eligibility: the pure rule and its SQL fragment agree (real PostgreSQL)', () => {
  const db = useMigratedDatabase();

  it.each(ELIGIBILITY_CASES)('%p', async (fields) => {
    const node = facts(fields);
    const [{ id }] = await db().query(
      `INSERT INTO nodes (name, panel_url, panel_username, panel_password, status, health_status,
                          inbound_id, inbound_snapshot, current_users, max_users, server_figures, cpu_busy_above,
                          cpu_busy_until)
       VALUES (md5(random()::text), 'http://p/', 'u', 'x', $1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [
        node.status,
        node.healthStatus,
        node.inboundId,
        node.inboundRead
          ? { id: 1, protocol: 'vless', port: 1, remark: '', settings: '{}', streamSettings: '{}' }
          : null,
        node.currentUsers,
        node.maxUsers,
        node.cpuPercent === null ? null : { cpuPercent: node.cpuPercent },
        node.cpuBusyAbove,
        node.cpuBusyUntil,
      ],
    );
    const [row] = await db().query(
      `SELECT ${eligibleSql('n')} AS eligible, ${eligibleSql('n', { seats: false })} AS serving,
              ${eligibilityFactsSql('n')} FROM nodes n WHERE id = $1`,
      [id],
    );
    const { eligible, serving, ...selected } = row;
    expect(eligible).toBe(ineligibleReason(node) === null);
    expect(serving).toBe(ineligibleReason({ ...node, currentUsers: 0 }) === null);
    // The facts as the queries select them give the same answer, in the same words.
    expect(selected).toEqual(node);
    expect(ineligibleReason(selected)).toBe(ineligibleReason(node));
  });
});
