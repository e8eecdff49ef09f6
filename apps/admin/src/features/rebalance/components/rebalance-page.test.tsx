import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { adminOf, fakeApi } from '../../../lib/fake-api.testing';
import { everyNode, sampleNode } from '../../../testing/sample-node';
import { renderPage } from '../../../testing/render';
import { RebalancePage } from './rebalance-page';

describe('RebalancePage', () => {
  it('previews the plan, applies it and follows the job with a progress bar', async () => {
    let polls = 0;
    const calls = fakeApi({
      'GET /nodes': () => ({
        status: 200,
        body: everyNode([sampleNode({ id: 1, name: 'ams-1' }), sampleNode({ id: 2, name: 'fra-1' })]),
      }),
      'GET /jobs': () => ({ status: 200, body: { items: [], total: 0, page: 1, limit: 20 } }),
      'POST /balancer/rebalance': ({ body }) =>
        (body as { dryRun: boolean }).dryRun
          ? {
              status: 200,
              body: {
                moves: [{ userId: 11, fromNodeId: 1, toNodeId: 2 }],
                movesTotal: 1,
                flows: [{ fromNodeId: 1, toNodeId: 2, count: 1 }],
                before: [
                  { nodeId: 1, users: 2 },
                  { nodeId: 2, users: 0 },
                ],
                after: [
                  { nodeId: 1, users: 1 },
                  { nodeId: 2, users: 1 },
                ],
                minimumMoves: 1,
              },
            }
          : { status: 202, body: { jobId: 5, moves: 1 } },
      'GET /jobs/5': () => {
        polls++;
        const done = polls > 1 ? 1 : 0;
        return {
          status: 200,
          body: {
            id: 5,
            kind: 'rebalance',
            status: done ? 'completed' : 'running',
            total: 1,
            done,
            failed: 0,
            error: null,
          },
        };
      },
    });
    renderPage(<RebalancePage />, { path: '/rebalance' });
    fireEvent.change(await screen.findByLabelText(/Most moves/), { target: { value: '10' } });
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect(await screen.findByText('1 moves (the minimum is 1).')).toBeInTheDocument();
    expect(screen.getByRole('table', { name: 'Planned moves' })).toHaveTextContent('11ams-1fra-1');
    expect(screen.getByRole('table', { name: 'Users moving between nodes' })).toHaveTextContent('ams-1fra-11');
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ dryRun: true, maxMoves: 10, movesLimit: 200 });

    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    const bar = await screen.findByRole('progressbar', { name: 'job 5 progress' });
    expect(bar).toHaveAttribute('max', '1');
    await waitFor(() => expect(screen.getByText(/rebalance #5: completed, 1 of 1 moved/)).toBeInTheDocument(), {
      timeout: 3000,
    });
    // The applied plan is gone: it cannot be applied twice.
    expect(screen.queryByText('1 moves (the minimum is 1).')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Apply' })).toBeNull();
  });

  it('lets a viewer follow the jobs but not preview or apply a rebalance', async () => {
    fakeApi({
      'GET /auth/me': () => ({ status: 200, body: adminOf('viewer') }),
      'GET /nodes': () => ({ status: 200, body: everyNode([]) }),
      'GET /jobs': () => ({ status: 200, body: { items: [], total: 0, page: 1, limit: 20 } }),
    });
    renderPage(<RebalancePage />, { path: '/rebalance' });
    expect(await screen.findByText(/previewing and applying a rebalance is for operators/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Preview' })).toBeNull();
  });
});
