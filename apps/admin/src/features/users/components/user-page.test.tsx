import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { adminOf, fakeApi } from '../../../lib/fake-api.testing';
import { renderPage } from '../../../testing/render';
import { everyNode } from '../../../testing/sample-node';
import { UserPage } from './user-page';
import { accessChanges, type PlanValues } from './user-plan-form';

const user = {
  id: 7,
  telegramId: 4242,
  username: 'alice',
  source: 'bot',
  node: { id: 1, name: 'ams-1', location: null },
  clientEmail: 'u7-n1',
  assignedAt: '2026-11-22T00:00:00.000Z',
  servers: [
    {
      group: { id: 1, name: 'Netherlands', countryCode: 'NL' },
      node: { id: 1, name: 'ams-1', location: null },
      clientEmail: 'u7-n1',
      assignedAt: '2026-11-22T00:00:00.000Z',
    },
  ],
  waiting: [
    {
      group: { id: 2, name: 'Germany', countryCode: 'DE' },
      since: '2026-11-23T00:00:00.000Z',
      attempts: 3,
      lastError: 'no healthy node with free capacity in the group',
    },
  ],
  createdAt: '2026-11-22T00:00:00.000Z',
  access: {
    status: 'active',
    enabled: true,
    expiresAt: '2027-01-01T00:00:00.000Z',
    holdDays: null,
    trafficLimitBytes: 100e9,
    trafficReset: 'month',
    periodStart: '2026-12-01T00:00:00.000Z',
    nextResetAt: '2027-01-01T00:00:00.000Z',
    usedBytes: 12.5e9,
    deviceLimit: 2,
    note: null,
    groups: [1, 2],
  },
};

const keys = (token: string) => ({
  userId: 7,
  subscriptionUrl: `https://vpn.example.com/sub/${token}`,
  keys: [
    {
      group: { id: 1, name: 'Netherlands', countryCode: 'NL' },
      node: { id: 1, name: 'ams-1', location: null },
      key: `vless://${token}@ams-1.example.com:443?security=reality#NL`,
      assignedAt: '2026-11-22T00:00:00.000Z',
    },
  ],
});

const show = () => renderPage(<UserPage id={7} />, { path: '/users/7' });

describe('UserPage', () => {
  it('shows a viewer the user without the actions and keys their role may not use', async () => {
    const calls = fakeApi({
      'GET /auth/me': () => ({ status: 200, body: adminOf('viewer') }),
      'GET /users/7': () => ({ status: 200, body: user }),
    });
    show();
    expect(await screen.findByText('active')).toBeInTheDocument();
    await waitFor(() => expect(calls.some((call) => call.path === '/auth/me')).toBe(true));
    for (const name of ['Disable', 'Extend', 'Rotate key', 'Delete…']) {
      expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
    }
    expect(screen.queryByRole('region', { name: 'Connect' })).not.toBeInTheDocument();
    expect(calls.some((call) => call.path === '/users/7/keys')).toBe(false);
  });

  it('shows the status and plan, and saves only what changed', async () => {
    const calls = fakeApi({
      'GET /users/7': () => ({ status: 200, body: user }),
      'PATCH /users/7/access': () => ({ status: 200, body: user }),
    });
    show();
    expect(await screen.findByText('active')).toBeInTheDocument();
    expect(screen.getByText(/used 12.5 GB of 100 GB/)).toBeInTheDocument();
    fireEvent.change(await screen.findByLabelText('Devices (0 = no limit)'), { target: { value: '3' } });
    fireEvent.change(screen.getByLabelText('Traffic limit (GB, 0 = none)'), { target: { value: '50' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save plan' }));
    await waitFor(() => expect(calls.some((call) => call.method === 'PATCH')).toBe(true));
    expect(calls.find((call) => call.method === 'PATCH')).toMatchObject({
      path: '/users/7/access',
      body: { deviceLimit: 3, trafficLimitBytes: 50e9 },
    });
  });

  it('shows the API’s field errors next to the fields', async () => {
    fakeApi({
      'GET /users/7': () => ({ status: 200, body: user }),
      'PATCH /users/7/access': () => ({
        status: 400,
        body: { statusCode: 400, code: 'VALIDATION_FAILED', message: ['deviceLimit must not be greater than 100'] },
      }),
    });
    show();
    fireEvent.change(await screen.findByLabelText('Devices (0 = no limit)'), { target: { value: '500' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save plan' }));
    expect(await screen.findByText('Device limit must not be greater than 100')).toBeInTheDocument();
  });

  it('disables, extends and deletes after a confirmation', async () => {
    const calls = fakeApi({
      'GET /users/7': () => ({ status: 200, body: user }),
      'PATCH /users/7/access': () => ({ status: 200, body: user }),
      'POST /users/7/extend': () => ({ status: 200, body: user }),
      'DELETE /users/7': () => ({ status: 204 }),
    });
    show();
    fireEvent.click(await screen.findByRole('button', { name: 'Disable' }));
    fireEvent.click(screen.getByRole('button', { name: 'Extend' }));
    fireEvent.click(screen.getByRole('button', { name: 'Delete…' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('subscription URL answers 404');
    expect(calls.some((call) => call.method === 'DELETE')).toBe(false);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(calls.some((call) => call.method === 'DELETE')).toBe(true));
    expect(calls.find((call) => call.path === '/users/7/access')).toMatchObject({ body: { enabled: false } });
    expect(calls.find((call) => call.path === '/users/7/extend')).toMatchObject({ body: { days: 30 } });
  });

  it('lists each server and the seats waiting for capacity, and changes the plan’s groups', async () => {
    const calls = fakeApi({
      'GET /users/7': () => ({ status: 200, body: user }),
      'GET /groups': () => ({
        status: 200,
        body: [
          { id: 1, name: 'Netherlands', countryCode: 'NL', sortOrder: 0, defaultForNewUsers: true, nodeCount: 1 },
          { id: 2, name: 'Germany', countryCode: 'DE', sortOrder: 1, defaultForNewUsers: false, nodeCount: 0 },
          { id: 3, name: 'Premium', countryCode: null, sortOrder: 2, defaultForNewUsers: false, nodeCount: 2 },
        ],
      }),
      'PATCH /users/7/access': () => ({ status: 200, body: user }),
    });
    show();
    const servers = await screen.findByRole('table', { name: 'Servers' });
    expect(servers).toHaveTextContent('🇳🇱 Netherlandsams-1');
    expect(servers).toHaveTextContent('🇩🇪 Germanywaiting for capacity (no healthy node');
    fireEvent.click(await screen.findByLabelText('Premium'));
    fireEvent.click(screen.getByLabelText('🇩🇪 Germany'));
    fireEvent.click(screen.getByRole('button', { name: 'Save groups' }));
    await waitFor(() => expect(calls.some((call) => call.method === 'PATCH')).toBe(true));
    expect(calls.find((call) => call.method === 'PATCH')).toMatchObject({ body: { groups: [1, 3] } });
  });

  it('lists the devices against the limit and forgets one', async () => {
    const device = {
      id: 31,
      hwid: 'hw-phone',
      os: 'iOS',
      osVersion: '18.1',
      model: 'iPhone15,2',
      userAgent: 'Happ/1.5.2',
      firstSeenAt: '2026-12-01T00:00:00.000Z',
      lastSeenAt: '2026-12-05T00:00:00.000Z',
    };
    const calls = fakeApi({
      'GET /users/7': () => ({ status: 200, body: user }),
      'GET /users/7/devices': () => ({ status: 200, body: [device] }),
      'DELETE /users/7/devices/31': () => ({ status: 204 }),
    });
    show();
    expect(await screen.findByText(/1 device\(s\) of 2 allowed/)).toBeInTheDocument();
    expect(screen.getByText('iPhone15,2 · iOS · 18.1')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Forget' }));
    await waitFor(() => expect(calls.some((call) => call.method === 'DELETE')).toBe(true));
    expect(calls.find((call) => call.method === 'DELETE')).toMatchObject({ path: '/users/7/devices/31' });
  });

  it('shows a viewer the user without the forms and buttons that change them', async () => {
    fakeApi({
      'GET /auth/me': () => ({ status: 200, body: adminOf('viewer') }),
      'GET /users/7': () => ({ status: 200, body: user }),
      'GET /groups': () => ({ status: 200, body: [] }),
      'GET /users/7/devices': () => ({
        status: 200,
        body: [
          {
            id: 31,
            hwid: 'hw-phone',
            os: null,
            osVersion: null,
            model: null,
            userAgent: null,
            firstSeenAt: '2026-12-01T00:00:00.000Z',
            lastSeenAt: '2026-12-05T00:00:00.000Z',
          },
        ],
      }),
    });
    show();
    expect(await screen.findByText(/1 device\(s\) of 2 allowed/)).toBeInTheDocument();
    expect(screen.getByRole('table', { name: 'Servers' })).toBeInTheDocument();
    for (const name of ['Forget', 'Save plan', 'Save groups', 'Disable', 'Extend', 'Rotate key', 'Delete…']) {
      expect(screen.queryByRole('button', { name })).toBeNull();
    }
    expect(screen.queryByRole('form', { name: 'Plan' })).toBeNull();
  });

  it('hands support the subscription URL with its QR code and each server’s link; Rotate shows the new URL', async () => {
    let token = 'OldToken0123456789abcdef';
    const calls = fakeApi({
      'GET /users/7': () => ({ status: 200, body: user }),
      'GET /users/7/keys': () => ({ status: 200, body: keys(token) }),
      'POST /users/7/rotate': () => {
        token = 'NewToken0123456789abcdef';
        return { status: 200, body: user };
      },
    });
    show();
    const connect = await screen.findByRole('region', { name: 'Connect' });
    expect(await within(connect).findByLabelText('Subscription URL')).toHaveValue(
      'https://vpn.example.com/sub/OldToken0123456789abcdef',
    );
    expect(within(connect).getByRole('img', { name: 'QR code: Subscription URL' })).toBeInTheDocument();
    expect(within(connect).getByLabelText('🇳🇱 Netherlands · ams-1')).toHaveValue(keys(token).keys[0].key);
    expect(within(connect).getByRole('button', { name: 'Copy Subscription URL' })).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Rotate key' }));
    expect(await screen.findByText('New subscription URL: https://vpn.example.com/sub/NewToken0123456789abcdef'));
    expect(calls.filter((call) => call.path === '/users/7/rotate')).toHaveLength(1);
    await waitFor(() =>
      expect(within(connect).getByLabelText('Subscription URL')).toHaveValue(
        'https://vpn.example.com/sub/NewToken0123456789abcdef',
      ),
    );
  });

  it('a user that does not exist (or was deleted) gets a not-found page, not an endless loading', async () => {
    fakeApi({
      'GET /users/7': () => ({ status: 404, body: { statusCode: 404, code: 'USER_NOT_FOUND', message: ['gone'] } }),
    });
    show();
    expect(await screen.findByRole('heading', { name: 'Not found' })).toBeInTheDocument();
    expect(screen.getByText('This user does not exist (or no longer does).')).toBeInTheDocument();
  });

  it('an API failure is said, with a retry, never shown as an empty page', async () => {
    let up = false;
    fakeApi({
      'GET /users/7': () =>
        up
          ? { status: 200, body: user }
          : { status: 503, body: { statusCode: 503, code: 'UNAVAILABLE', message: ['database unavailable'] } },
    });
    show();
    expect(await screen.findByText('The user could not be loaded')).toBeInTheDocument();
    expect(screen.getByText('database unavailable')).toBeInTheDocument();
    up = true;
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('heading', { name: 'alice' })).toBeInTheDocument();
  });

  it('turns form values into the API’s fields', () => {
    const before: PlanValues = {
      expiresAt: null,
      holdDays: '',
      trafficLimitGb: 0,
      trafficReset: 'none',
      deviceLimit: 0,
      note: '',
    };
    // The picker's value is the operator's local time.
    expect(accessChanges(before, { ...before, expiresAt: '2027-02-01 10:00:00', holdDays: '' })).toEqual({
      expiresAt: new Date(2027, 1, 1, 10, 0).toISOString(),
    });
    expect(accessChanges(before, { ...before, holdDays: 30, note: 'gift' })).toEqual({ holdDays: 30, note: 'gift' });
    expect(accessChanges({ ...before, note: 'x' }, before)).toEqual({ note: null });
    expect(accessChanges({ ...before, expiresAt: '2027-02-01 10:00:00' }, before)).toEqual({ expiresAt: null });
    expect(accessChanges(before, { ...before, trafficLimitGb: 1.5, deviceLimit: '' })).toEqual({
      trafficLimitBytes: 1.5e9,
    });
  });

  it('shows the period’s usage against the limit and the traffic per day by node', async () => {
    fakeApi({
      'GET /users/7': () => ({ status: 200, body: user }),
      'GET /nodes': () => ({
        status: 200,
        body: everyNode([
          { id: 1, name: 'ams-1' },
          { id: 2, name: 'fra-1' },
        ]),
      }),
      'GET /users/7/usage': () => ({
        status: 200,
        body: {
          total: { up: 3e9, down: 9.5e9 },
          period: { start: '2026-12-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z', up: 3e9, down: 9.5e9 },
          buckets: [
            { start: '2026-12-01T00:00:00.000Z', nodeId: 1, up: 1e9, down: 4e9 },
            { start: '2026-12-02T00:00:00.000Z', nodeId: 2, up: 2e9, down: 5.5e9 },
          ],
        },
      }),
    });
    show();
    expect(await screen.findByText(/This period: 12.5 GB \(↑ 3.0 GB ↓ 9.5 GB\) of 100 GB/)).toBeInTheDocument();
  });

  it('shows the user’s history in words, newest first', async () => {
    const calls = fakeApi({
      'GET /users/7': () => ({ status: 200, body: user }),
      'GET /events': () => ({
        status: 200,
        body: {
          items: [
            {
              id: 9,
              type: 'user.migrated',
              nodeId: 2,
              userId: 7,
              actor: 'job:3',
              payload: { fromNodeId: 1, toNodeId: 2, reason: 'failover' },
              createdAt: '2026-12-02T00:00:00.000Z',
            },
            {
              id: 8,
              type: 'user.extended',
              nodeId: null,
              userId: 7,
              actor: 'admin:root',
              payload: {},
              createdAt: '2026-12-01T00:00:00.000Z',
            },
          ],
          total: 2,
          page: 1,
          limit: 10,
          nextCursor: null,
        },
      }),
    });
    show();
    const history = await screen.findByRole('region', { name: 'History' });
    expect(await within(history).findByText(/User moved \(failover\) from node 1 to node 2/)).toBeInTheDocument();
    expect(within(history).getByText('User’s plan extended')).toBeInTheDocument();
    expect(calls.find((call) => call.path.startsWith('/events'))!.path).toBe('/events?userId=7&limit=10');
  });
});
