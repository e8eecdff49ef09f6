import { canServe, eligibleApartFromSeats, ineligibleReason } from './node-eligibility';
import { ELIGIBILITY_CASES, facts } from './node-eligibility.testing';

describe('node eligibility (pure)', () => {
  it.each(ELIGIBILITY_CASES)('%p → %p', (fields, reason) => {
    expect(ineligibleReason(facts(fields))).toBe(reason);
  });

  it('a full or busy node still serves its users; an over-full or unhealthy one does not', () => {
    expect(canServe(facts({ currentUsers: 100 }))).toBe(true);
    expect(canServe(facts({ cpuPercent: 99, cpuBusyAbove: 90, cpuBusyUntil: new Date(Date.now() + 60_000) }))).toBe(
      true,
    );
    expect(canServe(facts({ currentUsers: 101 }))).toBe(false);
    expect(canServe(facts({ healthStatus: 'unhealthy' }))).toBe(false);
  });

  it('a busy CPU keeps a node out of placement and rebalancing until its time is up', () => {
    const busy = facts({ cpuPercent: 97, cpuBusyAbove: 90, cpuBusyUntil: new Date(1_000_000) });
    expect(eligibleApartFromSeats(busy, 999_999)).toBe(false);
    expect(ineligibleReason(busy, 1_000_000)).toBeNull();
    expect(ineligibleReason({ ...busy, cpuPercent: null }, 0)).toBe('its CPU is busy (above 90 %)');
  });
});
