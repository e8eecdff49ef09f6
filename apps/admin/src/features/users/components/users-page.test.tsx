import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import { fakeApi } from '../../../lib/fake-api.testing';
import { everyNode, sampleNode } from '../../../testing/sample-node';
import { UsersPage } from './users-page';

const user = {
  id: 3,
  telegramId: 4242,
  username: 'alice',
  uuid: 'u',
  source: 'bot',
  node: { id: 1, name: 'ams-1', location: null },
  clientEmail: 'u3-n1',
  assignedAt: '2026-11-22T00:00:00.000Z',
  servers: [
    {
      group: { id: 1, name: 'default', countryCode: null },
      node: { id: 1, name: 'ams-1', location: null },
      clientEmail: 'u3-n1',
      assignedAt: '2026-11-22T00:00:00.000Z',
    },
    {
      group: { id: 2, name: 'Germany', countryCode: 'DE' },
      node: { id: 4, name: 'fra-2', location: null },
      clientEmail: 'u3-n4',
      assignedAt: '2026-11-22T00:00:00.000Z',
    },
  ],
  waiting: [
    {
      group: { id: 3, name: 'Poland', countryCode: 'PL' },
      since: '2026-11-23T00:00:00.000Z',
      attempts: 1,
      lastError: null,
    },
  ],
  createdAt: '2026-11-22T00:00:00.000Z',
  access: { status: 'expired', expiresAt: '2026-11-30T00:00:00.000Z' },
};

const show = () =>
  render(
    <MemoryRouter>
      <QueryClientProvider client={new QueryClient()}>
        <UsersPage />
      </QueryClientProvider>
    </MemoryRouter>,
  );

describe('UsersPage', () => {
  it('shows each user’s access status, servers and seats waiting for capacity', async () => {
    fakeApi({
      'GET /nodes': () => ({ status: 200, body: everyNode([sampleNode({ id: 1, name: 'ams-1' })]) }),
      'GET /users': () => ({ status: 200, body: { items: [user], total: 1, page: 1, limit: 50 } }),
    });
    show();
    expect(await screen.findByText('ams-1, fra-2')).toBeInTheDocument();
    expect(screen.getAllByText('expired')).toHaveLength(2); // the status filter's option, and the user's status
    expect(screen.getByText('1 waiting for capacity')).toBeInTheDocument();
  });

  it('searches, filters by node and moves a user to the chosen node', async () => {
    const calls = fakeApi({
      'GET /nodes': () => ({
        status: 200,
        body: everyNode([sampleNode({ id: 1, name: 'ams-1' }), sampleNode({ id: 2, name: 'fra-1' })]),
      }),
      'GET /users': () => ({ status: 200, body: { items: [user], total: 1, page: 1, limit: 25 } }),
      'POST /users/3/migrate': () => ({
        status: 200,
        body: { ...user, node: { id: 2, name: 'fra-1', location: null } },
      }),
    });
    show();
    expect(await screen.findByText('alice')).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText(/Search/), { target: { value: '4242' } });
    fireEvent.change(screen.getByLabelText(/^Node/), { target: { value: '1' } });
    await waitFor(() => expect(calls.some((c) => c.path === '/users?page=1&limit=25&search=4242&nodeId=1')).toBe(true));

    fireEvent.change(screen.getByLabelText('Target node for user 3'), { target: { value: '2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Move' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path === '/users/3/migrate')).toBe(true));
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ nodeId: 2 });
  });
});
