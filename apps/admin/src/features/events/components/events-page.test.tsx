import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi } from '../../../lib/fake-api.testing';
import { renderPage } from '../../../testing/render';
import { everyNode, sampleNode } from '../../../testing/sample-node';
import { EventsPage } from './events-page';

const EVENTS = [
  {
    id: 3,
    type: 'user.migrated',
    nodeId: 2,
    userId: 12,
    actor: 'job:4',
    payload: { fromNodeId: 1, toNodeId: 2, reason: 'failover' },
    createdAt: '2026-12-01T10:00:00.000Z',
  },
  {
    id: 2,
    type: 'failover.stalled',
    nodeId: 1,
    userId: null,
    actor: 'job:4',
    payload: { jobId: 4, waiting: 7 },
    createdAt: '2026-12-01T09:59:00.000Z',
  },
  {
    id: 1,
    type: 'some.new_kind',
    nodeId: null,
    userId: null,
    actor: 'system',
    payload: {},
    createdAt: '2026-12-01T09:00:00.000Z',
  },
];

describe('EventsPage', () => {
  afterEach(() => vi.useRealTimers());

  it('says each event in words, with links to its node and user', async () => {
    fakeApi({
      'GET /nodes': () => ({
        status: 200,
        body: everyNode([sampleNode({ id: 1, name: 'ams-1' }), sampleNode({ id: 2, name: 'fra-1' })]),
      }),
      'GET /events': () => ({ status: 200, body: { items: EVENTS, total: 3, page: 1, limit: 50, nextCursor: null } }),
    });
    renderPage(<EventsPage />, { path: '/events' });
    const moved = (await screen.findByText(/User moved \(failover\) from node 1 to node 2/)).closest('tr')!;
    expect(within(moved).getByRole('link', { name: 'user 12' })).toHaveAttribute('href', '/users/12');
    expect(await within(moved).findByRole('link', { name: 'fra-1' })).toHaveAttribute('href', '/nodes/2');
    expect(screen.getByText(/Failover #4 stalled: 7 user\(s\) wait for a free seat/)).toBeInTheDocument();
    expect(screen.getByText('some new kind')).toBeInTheDocument(); // a type this page does not know yet
  });

  it('filters by user and time window on the API', async () => {
    // The picker opens on the current month.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-10T12:00'));
    const calls = fakeApi({
      'GET /nodes': () => ({ status: 200, body: everyNode([]) }),
      'GET /events': () => ({ status: 200, body: { items: [], total: 0, page: 1, limit: 50, nextCursor: null } }),
    });
    renderPage(<EventsPage />, { path: '/events' });
    fireEvent.change(await screen.findByLabelText('User id'), { target: { value: '12' } });
    fireEvent.click(screen.getByLabelText(/^From/));
    fireEvent.click(await screen.findByRole('button', { name: '1 December 2026' }));
    fireEvent.change(screen.getByLabelText('Hours'), { target: { value: '08' } });
    fireEvent.change(screen.getByLabelText('Minutes'), { target: { value: '00' } });
    await waitFor(() => {
      const last = new URLSearchParams(calls.at(-1)!.path.split('?')[1]);
      expect(last.get('userId')).toBe('12');
      expect(last.get('since')).toBe(new Date('2026-12-01T08:00').toISOString());
    });
    fireEvent.change(screen.getByLabelText('User id'), { target: { value: 'abc' } });
    expect(screen.getByText('a user id is a number')).toBeInTheDocument();
  });
});
