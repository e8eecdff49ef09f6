import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { GroupView } from '@fleet/contract';
import { fakeApi } from '../../../lib/fake-api.testing';
import { sampleNode } from '../../../testing/sample-node';
import { renderPage } from '../../../testing/render';
import { GroupsPage } from './groups-page';

const group = (fields: Partial<GroupView>): GroupView => ({
  id: 1,
  name: 'default',
  countryCode: null,
  sortOrder: 0,
  defaultForNewUsers: false,
  nodeCount: 0,
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  ...fields,
});

const GROUPS = [
  group({ id: 1, name: 'default', defaultForNewUsers: true, nodeCount: 2 }),
  group({ id: 2, name: 'Germany', countryCode: 'DE', sortOrder: 10 }),
  group({ id: 3, name: 'Netherlands', countryCode: 'NL', sortOrder: 20 }),
];
const NODES = [
  sampleNode({ id: 1, groupId: 1, currentUsers: 30, maxUsers: 100 }),
  sampleNode({ id: 2, groupId: 1, currentUsers: 20, maxUsers: 100 }),
];

const show = () => renderPage(<GroupsPage />, { path: '/groups' });

/** The table row whose first cell ends with the group's name. */
const rowOf = async (name: string): Promise<HTMLTableRowElement> => {
  const table = await screen.findByRole('table', { name: 'Groups' });
  return within(table)
    .getAllByRole('row')
    .find((row) => (row as HTMLTableRowElement).cells[0].textContent?.trim().endsWith(name)) as HTMLTableRowElement;
};

describe('GroupsPage', () => {
  it('lists the groups in order with flags, node counts and their nodes’ load', async () => {
    fakeApi({
      'GET /groups': () => ({ status: 200, body: GROUPS }),
      'GET /nodes': () => ({ status: 200, body: { items: NODES, total: 2, page: 1, limit: 2, nextCursor: null } }),
    });
    show();
    const rows = within(await screen.findByRole('table', { name: 'Groups' }))
      .getAllByRole('row')
      .slice(1) as HTMLTableRowElement[];
    expect(rows.map((row) => row.cells[0].textContent?.trim())).toEqual(['default', '🇩🇪 Germany', '🇳🇱 Netherlands']);
    const first = await rowOf('default');
    await waitFor(() => expect(first.cells[3]).toHaveTextContent('50 / 200 (25%)'));
    expect(first.cells[2]).toHaveTextContent('2');
    expect(first.cells[4]).toHaveTextContent('yes');
    const germany = await rowOf('Germany');
    expect(germany.cells[1]).toHaveTextContent('DE');
    expect(germany.cells[3]).toHaveTextContent('—');
  });

  it('moves a group up: the groups whose place changed get their new order', async () => {
    const calls = fakeApi({
      'GET /groups': () => ({ status: 200, body: GROUPS }),
      'PATCH /groups/3': ({ body }) => ({ status: 200, body: { ...GROUPS[2], ...(body as object) } }),
      'PATCH /groups/2': ({ body }) => ({ status: 200, body: { ...GROUPS[1], ...(body as object) } }),
    });
    show();
    fireEvent.click(await screen.findByRole('button', { name: 'Move Netherlands up' }));
    await waitFor(() => expect(calls.filter((call) => call.method === 'PATCH')).toHaveLength(2));
    expect(calls.filter((call) => call.method === 'PATCH')).toEqual([
      { method: 'PATCH', path: '/groups/3', body: { sortOrder: 10 } },
      { method: 'PATCH', path: '/groups/2', body: { sortOrder: 20 } },
    ]);
    expect(screen.getByRole('button', { name: 'Move default up' })).toBeDisabled();
  });

  it('deletes an empty group; one with nodes cannot be deleted', async () => {
    const calls = fakeApi({
      'GET /groups': () => ({ status: 200, body: GROUPS }),
      'DELETE /groups/2': () => ({ status: 204 }),
    });
    show();
    expect(await screen.findByRole('button', { name: 'Delete default' })).toBeDisabled();
    fireEvent.click(screen.getByRole('button', { name: 'Delete Germany' }));
    await waitFor(() => expect(calls.some((call) => call.method === 'DELETE')).toBe(true));
    expect(calls.find((call) => call.method === 'DELETE')?.path).toBe('/groups/2');
  });

  it('creates a group, and shows the API’s field errors next to their fields', async () => {
    let refuse = true;
    const calls = fakeApi({
      'GET /groups': () => ({ status: 200, body: GROUPS }),
      'POST /groups': ({ body }) =>
        refuse
          ? {
              status: 400,
              body: {
                statusCode: 400,
                code: 'VALIDATION_FAILED',
                message: ['countryCode must be two letters (ISO 3166-1 alpha-2), e.g. DE'],
              },
            }
          : { status: 201, body: group({ id: 9, ...(body as object) }) },
    });
    show();
    fireEvent.change(await screen.findByLabelText(/^Name/), { target: { value: 'Finland' } });
    fireEvent.change(screen.getByLabelText('Country code (two letters, for the flag)'), { target: { value: 'F1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add group' }));
    expect(await screen.findByText(/^Country code must be two letters/)).toBeInTheDocument();
    expect(screen.getByLabelText('Country code (two letters, for the flag)')).toHaveAttribute('aria-invalid', 'true');
    refuse = false;
    fireEvent.change(screen.getByLabelText('Country code (two letters, for the flag)'), { target: { value: 'FI' } });
    fireEvent.click(screen.getByLabelText('New users get a server here'));
    fireEvent.click(screen.getByRole('button', { name: 'Add group' }));
    await waitFor(() => expect((screen.getByLabelText(/^Name/) as HTMLInputElement).value).toBe(''));
    expect(calls.filter((call) => call.method === 'POST').at(-1)?.body).toEqual({
      name: 'Finland',
      countryCode: 'FI',
      defaultForNewUsers: true,
    });
  });

  it('says so when there is no group, and when the groups cannot be loaded', async () => {
    fakeApi({ 'GET /groups': () => ({ status: 200, body: [] }) });
    const { unmount } = show();
    expect(await screen.findByText(/No groups yet/)).toBeInTheDocument();
    unmount();
    fakeApi({ 'GET /groups': () => ({ status: 500, body: { message: ['database unreachable'] } }) });
    show();
    expect(await screen.findByRole('alert')).toHaveTextContent('Groups could not be loaded');
  });
});
