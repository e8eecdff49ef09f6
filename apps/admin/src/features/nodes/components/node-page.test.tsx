import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi } from '../../../lib/fake-api.testing';
import { renderPage } from '../../../testing/render';
import { everyNode, sampleNode } from '../../../testing/sample-node';
import { NodePage } from './node-page';

const job = (fields: Record<string, unknown>) => ({
  id: 4,
  kind: 'failover',
  nodeId: 1,
  status: 'completed',
  total: 12,
  done: 12,
  failed: 0,
  error: null,
  ...fields,
});
const JOBS = (items: unknown[]) => ({ status: 200, body: { items, total: items.length, page: 1, limit: 20 } });
const show = () => renderPage(<NodePage id={1} />, { path: '/nodes/1' });

describe('NodePage', () => {
  it('a node that does not exist gets a not-found page', async () => {
    fakeApi({
      'GET /nodes/1': () => ({ status: 404, body: { statusCode: 404, code: 'NODE_NOT_FOUND', message: ['gone'] } }),
    });
    show();
    expect(await screen.findByText('This node does not exist (or no longer does).')).toBeInTheDocument();
  });

  it('shows where a fallen node’s users went, and suggests a rebalance once it serves again empty', async () => {
    fakeApi({
      'GET /nodes/1': () => ({ status: 200, body: sampleNode({ id: 1, name: 'ams-1', currentUsers: 0 }) }),
      'GET /nodes': () => ({ status: 200, body: everyNode([sampleNode({ id: 1, name: 'ams-1' })]) }),
      'GET /jobs': () => JOBS([job({}), job({ id: 2, nodeId: 9 })]),
    });
    show();
    expect(await screen.findByText(/failover #4: completed, 12 of 12 moved/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'a rebalance' })).toHaveAttribute('href', '/rebalance');
  });

  it('drains after a confirmation that says how many users move, then follows the job', async () => {
    const calls = fakeApi({
      'GET /nodes/1': () => ({ status: 200, body: sampleNode({ id: 1, name: 'ams-1', currentUsers: 7 }) }),
      'GET /nodes': () => ({ status: 200, body: everyNode([sampleNode({ id: 1, name: 'ams-1' })]) }),
      'GET /jobs': () => JOBS([]),
      'POST /nodes/1/drain': () => ({ status: 202, body: { jobId: 8 } }),
      'GET /jobs/8': () => ({ status: 200, body: job({ id: 8, kind: 'drain', status: 'running', total: 7, done: 3 }) }),
    });
    show();
    fireEvent.click(await screen.findByRole('button', { name: 'Drain (move users away)…' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('its 7 users move to other nodes of its group');
    expect(calls.some((call) => call.method === 'POST')).toBe(false);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Drain' }));
    expect(await screen.findByText(/drain #8: running, 3 of 7 moved/)).toBeInTheDocument();
    await waitFor(() => expect(calls.some((call) => call.path === '/nodes/1/drain')).toBe(true));
  });
});
