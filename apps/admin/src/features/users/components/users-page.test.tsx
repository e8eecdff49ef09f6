import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { adminOf, fakeApi } from '../../../lib/fake-api.testing';
import { renderPage } from '../../../testing/render';
import { everyNode, sampleNode } from '../../../testing/sample-node';
import { planOf } from './create-user';
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
  access: {
    status: 'expired',
    expiresAt: '2026-11-30T00:00:00.000Z',
    usedBytes: 2.5e9,
    trafficLimitBytes: 10e9,
  },
};

const show = () => renderPage(<UsersPage />, { path: '/users' });

const GROUPS = [
  { id: 1, name: 'default', countryCode: null, sortOrder: 0, defaultForNewUsers: true, nodeCount: 2 },
  { id: 2, name: 'Germany', countryCode: 'DE', sortOrder: 1, defaultForNewUsers: false, nodeCount: 1 },
];

async function fillNewUser(telegramId: string) {
  fireEvent.click(await screen.findByRole('button', { name: 'New user' }));
  const form = await screen.findByRole('form', { name: 'New user' });
  fireEvent.change(within(form).getByLabelText(/Telegram id/), { target: { value: telegramId } });
  fireEvent.change(within(form).getByLabelText('Username'), { target: { value: 'bob' } });
  fireEvent.change(within(form).getByLabelText(/Traffic limit/), { target: { value: '50' } });
  return form;
}

describe('UsersPage', () => {
  it('shows each user’s access status, usage against the limit, servers and seats waiting for capacity', async () => {
    fakeApi({
      'GET /nodes': () => ({ status: 200, body: everyNode([sampleNode({ id: 1, name: 'ams-1' })]) }),
      'GET /users': () => ({ status: 200, body: { items: [user], total: 1, page: 1, limit: 50 } }),
    });
    show();
    const row = (await screen.findByRole('link', { name: 'alice' })).closest('tr')!;
    expect(within(row).getByText('ams-1, fra-2')).toBeInTheDocument();
    expect(within(row).getByText('expired')).toBeInTheDocument();
    expect(within(row).getByText('2.5 GB / 10.0 GB')).toBeInTheDocument();
    expect(within(row).getByText('1 waiting for capacity')).toBeInTheDocument();
  });

  it('searches and filters on the API; selected users get a bulk action, confirmed with its impact first', async () => {
    const calls = fakeApi({
      'GET /nodes': () => ({
        status: 200,
        body: everyNode([sampleNode({ id: 1, name: 'ams-1' }), sampleNode({ id: 2, name: 'fra-1' })]),
      }),
      'GET /users': () => ({
        status: 200,
        body: { items: [user, { ...user, id: 4, username: 'bob' }], total: 2, page: 1, limit: 25 },
      }),
      'POST /users/bulk-extend': ({ body }) => ({
        status: 200,
        body: {
          done: 1,
          failed: 1,
          results: [
            { id: (body as { ids: number[] }).ids[0], ok: true },
            { id: 4, ok: false, code: 'USER_NOT_FOUND', message: 'user 4 not found' },
          ],
        },
      }),
    });
    show();
    expect(await screen.findByText('alice')).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: '4242' } });
    await waitFor(() => expect(calls.some((c) => c.path === '/users?page=1&limit=25&search=4242')).toBe(true));

    fireEvent.click(screen.getByRole('button', { name: 'Expires' }));
    await waitFor(() => expect(calls.at(-1)!.path).toBe('/users?page=1&limit=25&search=4242&sort=expiresAt'));
    fireEvent.click(screen.getByRole('button', { name: 'Expires ▲' }));
    await waitFor(() => expect(calls.at(-1)!.path).toBe('/users?page=1&limit=25&search=4242&sort=-expiresAt'));
    expect(screen.getByRole('columnheader', { name: 'Expires ▼' })).toHaveAttribute('aria-sort', 'descending');

    fireEvent.click(screen.getByLabelText('Select every user on this page'));
    const bar = screen.getByRole('toolbar', { name: 'Selected users' });
    expect(bar).toHaveTextContent('2 selected');
    fireEvent.change(within(bar).getByLabelText('Days'), { target: { value: '7' } });
    fireEvent.click(within(bar).getByRole('button', { name: 'Extend' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Extend 2 users by 7 day(s)?');
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByText('1 done, 1 refused')).toBeInTheDocument();
    expect(screen.getByText('user 4: user 4 not found')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ ids: [3, 4], days: 7 });
    expect(screen.queryByRole('toolbar', { name: 'Selected users' })).toBeNull();
  });

  it('offers support the access actions on selected users, not moves or deletion', async () => {
    fakeApi({
      'GET /auth/me': () => ({ status: 200, body: adminOf('support') }),
      'GET /nodes': () => ({ status: 200, body: everyNode([sampleNode({ id: 1, name: 'ams-1' })]) }),
      'GET /users': () => ({ status: 200, body: { items: [user], total: 1, page: 1, limit: 25 } }),
    });
    show();
    fireEvent.click(await screen.findByLabelText(`Select user ${user.id}`));
    const bar = await screen.findByRole('toolbar', { name: 'Selected users' });
    expect(await within(bar).findByRole('button', { name: 'Extend' })).toBeInTheDocument();
    expect(within(bar).queryByRole('button', { name: 'Move' })).toBeNull();
    expect(within(bar).queryByRole('button', { name: 'Delete…' })).toBeNull();
  });

  it('offers New user only to a role that may make keys (support may not)', async () => {
    fakeApi({
      'GET /auth/me': () => ({ status: 200, body: adminOf('support') }),
      'GET /users': () => ({ status: 200, body: { items: [user], total: 1, page: 1, limit: 25 } }),
    });
    show();
    expect(await screen.findByText('alice')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Export CSV' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'New user' })).not.toBeInTheDocument();
  });

  it('exports the filtered list through the API client, saved as users.csv', async () => {
    const calls = fakeApi({
      'GET /nodes': () => ({ status: 200, body: everyNode([]) }),
      'GET /users': () => ({ status: 200, body: { items: [], total: 0, page: 1, limit: 25 } }),
      'GET /users/export.csv': () => ({ status: 200, body: 'id\n' }),
    });
    const made: Blob[] = [];
    vi.stubGlobal(
      'URL',
      Object.assign(URL, {
        createObjectURL: (blob: Blob) => (made.push(blob), 'blob:x'),
        revokeObjectURL: () => undefined,
      }),
    );
    renderPage(<UsersPage />, { path: '/users?status=expired', pattern: '/users' });
    fireEvent.click(await screen.findByRole('button', { name: 'Export CSV' }));
    await waitFor(() => expect(made).toHaveLength(1));
    expect(calls.find((c) => c.path.startsWith('/users/export.csv'))!.path).toBe('/users/export.csv?status=expired');
  });

  it('takes the status from the address (the dashboard’s access cards link to it)', async () => {
    const calls = fakeApi({
      'GET /nodes': () => ({ status: 200, body: everyNode([]) }),
      'GET /users': () => ({ status: 200, body: { items: [], total: 0, page: 1, limit: 25 } }),
    });
    renderPage(<UsersPage />, { path: '/users?status=expired', pattern: '/users' });
    await waitFor(() => expect(calls.some((c) => c.path === '/users?page=1&limit=25&status=expired')).toBe(true));
  });

  it('creates a user with a plan through the bot’s route, and says when the telegram id already had one', async () => {
    let existing = false;
    const calls = fakeApi({
      'GET /nodes': () => ({ status: 200, body: everyNode([]) }),
      'GET /users': () => ({ status: 200, body: { items: [], total: 0, page: 1, limit: 25 } }),
      'GET /groups': () => ({ status: 200, body: GROUPS }),
      'PUT /keys/777001': () => ({
        status: existing ? 200 : 201,
        body: { telegramId: 777001, userId: 41, planApplied: !existing },
      }),
    });
    show();
    let form = await fillNewUser('777001');
    fireEvent.click(await within(form).findByLabelText('🇩🇪 Germany'));
    fireEvent.click(within(form).getByRole('button', { name: 'Create user' }));
    expect(await screen.findByText('User created')).toBeInTheDocument();
    const put = calls.find((call) => call.method === 'PUT')!;
    expect(put.body).toMatchObject({
      username: 'bob',
      plan: { trafficLimitBytes: 50e9, trafficReset: 'month', deviceLimit: 0, groups: [1, 2] },
    });
    existing = true;
    form = await fillNewUser('777001');
    fireEvent.click(within(form).getByRole('button', { name: 'Create user' }));
    expect(await screen.findByText('This telegram id already has a user')).toBeInTheDocument();
  });

  it('checks the telegram id before sending, and shows the API’s refusals on their fields or above the buttons', async () => {
    let answer = {
      status: 400,
      body: { statusCode: 400, code: 'VALIDATION_FAILED', message: ['plan.deviceLimit must not be greater than 100'] },
    };
    const calls = fakeApi({
      'GET /nodes': () => ({ status: 200, body: everyNode([]) }),
      'GET /users': () => ({ status: 200, body: { items: [], total: 0, page: 1, limit: 25 } }),
      'GET /groups': () => ({ status: 200, body: GROUPS }),
      'PUT /keys/777002': () => answer,
    });
    show();
    const form = await fillNewUser('07');
    fireEvent.click(within(form).getByRole('button', { name: 'Create user' }));
    expect(await within(form).findByText('Telegram id is a positive number')).toBeInTheDocument();
    expect(calls.some((call) => call.method === 'PUT')).toBe(false);

    fireEvent.change(within(form).getByLabelText(/Telegram id/), { target: { value: '777002' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Create user' }));
    expect(await within(form).findByText('Device limit must not be greater than 100')).toBeInTheDocument();
    answer = {
      status: 503,
      body: { statusCode: 503, code: 'NO_CAPACITY', message: ['no healthy node with free capacity in the group'] },
    };
    fireEvent.click(within(form).getByRole('button', { name: 'Create user' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('no healthy node with free capacity');
  });

  it('turns the form into the plan: days into an expiry, GB into bytes, no expiry for 0 days', () => {
    const values = {
      telegramId: '1',
      username: '',
      location: '',
      days: 30,
      trafficLimitGb: 1.5,
      trafficReset: 'none' as const,
      deviceLimit: 2,
      groups: ['3'],
    };
    expect(planOf(values, Date.parse('2027-01-01T00:00:00Z'))).toEqual({
      expiresAt: '2027-01-31T00:00:00.000Z',
      trafficLimitBytes: 1.5e9,
      trafficReset: 'none',
      deviceLimit: 2,
      groups: [3],
    });
    expect(planOf({ ...values, days: 0, groups: [] })).not.toHaveProperty('expiresAt');
    expect(planOf({ ...values, days: '', groups: [] })).not.toHaveProperty('groups');
  });
});
