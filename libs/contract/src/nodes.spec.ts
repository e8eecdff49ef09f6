import { HEALTH_STATUSES, NODE_DEFAULTS, NODE_STATUSES } from './nodes';

describe('node contract', () => {
  it('defaults a new node to an active status that is one of the known statuses', () => {
    expect(NODE_STATUSES).toContain(NODE_DEFAULTS.status);
    expect(NODE_DEFAULTS).toMatchObject({ maxUsers: 1000, priority: 100, weight: 1 });
  });

  it('starts health as one of the known health statuses', () => {
    expect(HEALTH_STATUSES).toEqual(['healthy', 'unhealthy', 'unknown']);
  });
});
