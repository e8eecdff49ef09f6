import { nextHealth, Streak } from './hysteresis';

const limits = { fall: 3, rise: 2 };
const run = (start: Streak['status'], checks: boolean[]) => {
  let streak: Streak = { status: start, consecutiveFailures: 0, consecutiveSuccesses: 0 };
  return checks.map((ok) => (streak = nextHealth(streak, ok, limits)).status);
};

describe('health hysteresis (pure)', () => {
  it.each([
    ['unknown', [true], ['healthy']],
    ['unknown', [false], ['unhealthy']],
    ['healthy', [false, false, false], ['healthy', 'healthy', 'unhealthy']],
    ['healthy', [false, false, true, false, false], ['healthy', 'healthy', 'healthy', 'healthy', 'healthy']],
    ['unhealthy', [true, true], ['unhealthy', 'healthy']],
    ['unhealthy', [true, false, true], ['unhealthy', 'unhealthy', 'unhealthy']],
    ['healthy', [false, false, false, true, true], ['healthy', 'healthy', 'unhealthy', 'unhealthy', 'healthy']],
  ] as Array<[Streak['status'], boolean[], string[]]>)('%s then %p → %p', (start, checks, statuses) => {
    expect(run(start, checks)).toEqual(statuses);
  });

  it('counts streaks', () => {
    const after = nextHealth({ status: 'healthy', consecutiveFailures: 1, consecutiveSuccesses: 0 }, false, limits);
    expect(after).toEqual({ status: 'healthy', consecutiveFailures: 2, consecutiveSuccesses: 0 });
  });
});
