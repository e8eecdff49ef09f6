import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import { fakeApi } from '../../../lib/fake-api.testing';
import { sampleNode } from '../../../testing/sample-node';
import { NodesPage } from './nodes-page';

describe('NodesPage', () => {
  it('asks the API for one page at a time, filtered, and pages through the total', async () => {
    const calls = fakeApi({
      'GET /nodes': ({ path }) => {
        const query = new URLSearchParams(path.split('?')[1]);
        const page = Number(query.get('page'));
        const nodes =
          query.get('health') === 'unhealthy'
            ? [sampleNode({ id: 9, name: 'dead-1' })]
            : [sampleNode({ id: page, name: `node-p${page}` })];
        const total = query.get('health') ? 1 : 120;
        return { status: 200, body: { items: nodes, total, page, limit: 50, nextCursor: null } };
      },
    });
    render(
      <MemoryRouter>
        <QueryClientProvider client={new QueryClient()}>
          <NodesPage />
        </QueryClientProvider>
      </MemoryRouter>,
    );
    expect(await screen.findByText('node-p1')).toBeInTheDocument();
    expect(screen.getByText('Page 1 of 3')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('node-p2')).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Health'), { target: { value: 'unhealthy' } });
    expect(await screen.findByText('dead-1')).toBeInTheDocument();
    expect(screen.queryByText(/Page \d of/)).not.toBeInTheDocument();
    await waitFor(() => expect(calls.at(-1)?.path).toBe('/nodes?limit=50&page=1&health=unhealthy'));
    expect(calls.map((call) => call.path)).toContain('/nodes?limit=50&page=2');
  });
});
