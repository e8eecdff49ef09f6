import type { EligibilityFacts } from './node-eligibility';

/** Cases of the eligibility rule, shared by its unit test and the test that the SQL fragment agrees. */
export const ELIGIBILITY_CASES: Array<[Partial<EligibilityFacts>, string | null]> = [
  [{}, null],
  [{ status: 'maintenance' }, 'status is maintenance'],
  [{ status: 'inactive' }, 'status is inactive'],
  [{ healthStatus: 'unknown' }, 'not checked yet'],
  [{ healthStatus: 'unhealthy' }, 'unhealthy'],
  [{ inboundId: null, inboundRead: false }, 'no inbound chosen'],
  [{ inboundRead: false }, 'inbound not read yet (it is read at the next health check)'],
  [{ currentUsers: 100 }, 'full'],
  [{ currentUsers: 101 }, 'full'],
  [{ currentUsers: 99 }, null],
  [{ status: 'maintenance', healthStatus: 'unhealthy', currentUsers: 100 }, 'status is maintenance'],
];

export const facts = (fields: Partial<EligibilityFacts> = {}): EligibilityFacts => ({
  status: 'active',
  healthStatus: 'healthy',
  inboundId: 1,
  inboundRead: true,
  currentUsers: 0,
  maxUsers: 100,
  ...fields,
});
