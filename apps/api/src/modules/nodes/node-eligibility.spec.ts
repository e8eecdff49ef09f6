import { canServe, ineligibleReason } from './node-eligibility';
import { ELIGIBILITY_CASES, facts } from './node-eligibility.testing';

describe('node eligibility (pure)', () => {
  it.each(ELIGIBILITY_CASES)('%p → %p', (fields, reason) => {
    expect(ineligibleReason(facts(fields))).toBe(reason);
  });

  it('a full node still serves its users; an over-full or unhealthy one does not', () => {
    expect(canServe(facts({ currentUsers: 100 }))).toBe(true);
    expect(canServe(facts({ currentUsers: 101 }))).toBe(false);
    expect(canServe(facts({ healthStatus: 'unhealthy' }))).toBe(false);
  });
});
