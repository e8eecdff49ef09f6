import type { EligibilityFacts } from './node-eligibility';

const inAMinute = new Date(Date.now() + 60_000);
const aMinuteAgo = new Date(Date.now() - 60_000);

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
  [{ cpuPercent: 97, cpuBusyAbove: 90, cpuBusyUntil: inAMinute }, 'its CPU is at 97 % (busy above 90 %)'],
  [{ cpuPercent: 90.44, cpuBusyAbove: 90, cpuBusyUntil: inAMinute }, 'its CPU is at 90.4 % (busy above 90 %)'],
  [
    { cpuPercent: 97, cpuBusyAbove: 90, cpuBusyUntil: inAMinute, currentUsers: 100 },
    'its CPU is at 97 % (busy above 90 %)',
  ],
  [{ cpuPercent: 97, cpuBusyAbove: 90, cpuBusyUntil: inAMinute, healthStatus: 'unhealthy' }, 'unhealthy'],
  [{ cpuPercent: 97, cpuBusyAbove: 90, cpuBusyUntil: aMinuteAgo }, null],
  [{ cpuPercent: 97 }, null],
];

export const facts = (fields: Partial<EligibilityFacts> = {}): EligibilityFacts => ({
  status: 'active',
  healthStatus: 'healthy',
  inboundId: 1,
  inboundRead: true,
  currentUsers: 0,
  maxUsers: 100,
  cpuPercent: null,
  cpuBusyAbove: null,
  cpuBusyUntil: null,
  ...fields,
});
