import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { adminOf, fakeApi } from '../../../lib/fake-api.testing';
import { renderPage } from '../../../testing/render';
import { AdminsPage } from './admins-page';

const at = '2026-11-20T10:00:00.000Z';
const ADMINS = [
  { id: 1, username: 'root', role: 'owner', disabled: false, createdAt: at, updatedAt: at },
  { id: 2, username: 'alice', role: 'support', disabled: false, createdAt: at, updatedAt: at },
  { id: 3, username: 'bob', role: 'viewer', disabled: true, createdAt: at, updatedAt: at },
];
const me = () => ({ status: 200, body: { ...adminOf('owner', 'root'), id: 1 } });
const show = () => renderPage(<AdminsPage />, { path: '/admins' });
const rowOf = async (name: string) =>
  (await screen.findByRole('rowheader', { name: new RegExp(`^${name}`) })).closest('tr') as HTMLElement;

describe('AdminsPage', () => {
  it('lists every admin with role and status, the caller’s own row marked', async () => {
    fakeApi({ 'GET /auth/me': me, 'GET /admins': () => ({ status: 200, body: ADMINS }) });
    show();
    const root = await rowOf('root');
    expect(within(root).getByText('you')).toBeInTheDocument();
    expect(within(root).getByText('owner')).toBeInTheDocument();
    expect(within(root).getByText('active')).toBeInTheDocument();
    const bob = await rowOf('bob');
    expect(within(bob).getByText('disabled')).toBeInTheDocument();
    expect(within(bob).queryByText('you')).not.toBeInTheDocument();
    expect(screen.getByText('3 admins')).toBeInTheDocument();
  });

  it('adds an admin: checks the name and password first, says when the name is taken, then sends the role', async () => {
    let taken = true;
    const calls = fakeApi({
      'GET /auth/me': me,
      'GET /admins': () => ({ status: 200, body: ADMINS }),
      'POST /admins': ({ body }) =>
        taken
          ? { status: 409, body: { code: 'ADMIN_NAME_TAKEN', message: ['an admin named carol exists'] } }
          : { status: 201, body: { id: 4, ...(body as object), disabled: false, createdAt: at, updatedAt: at } },
    });
    show();
    fireEvent.click(await screen.findByRole('button', { name: 'Add admin' }));
    const form = await screen.findByRole('form', { name: 'New admin' });
    fireEvent.change(within(form).getByLabelText(/^Username/), { target: { value: 'carol smith' } });
    fireEvent.change(within(form).getByLabelText(/^Password/), { target: { value: 'short' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Add admin' }));
    expect(await within(form).findByText(/1 to 64 letters, digits/)).toBeInTheDocument();
    expect(within(form).getByText('Must be at least 12 characters')).toBeInTheDocument();
    expect(calls.some((call) => call.method === 'POST')).toBe(false);

    fireEvent.change(within(form).getByLabelText(/^Username/), { target: { value: 'carol' } });
    fireEvent.change(within(form).getByLabelText(/^Password/), { target: { value: 'a-long-password' } });
    const role = within(form).getByRole('combobox', { name: /^Role/ });
    expect(role).toHaveAccessibleDescription('Reads nodes, users and events; changes nothing, sees no keys');
    fireEvent.click(role);
    fireEvent.click(await screen.findByRole('option', { name: /^operator/ }));
    expect(role).toHaveAccessibleDescription('Everything but admins and API tokens');
    fireEvent.click(within(form).getByRole('button', { name: 'Add admin' }));
    expect(await within(form).findByText('An admin named carol already exists.')).toBeInTheDocument();

    taken = false;
    fireEvent.click(within(form).getByRole('button', { name: 'Add admin' }));
    expect(await screen.findByText('carol can sign in as operator')).toBeInTheDocument();
    expect(calls.filter((call) => call.method === 'POST').at(-1)?.body).toEqual({
      username: 'carol',
      password: 'a-long-password',
      role: 'operator',
    });
    await waitFor(() => expect(screen.queryByRole('form', { name: 'New admin' })).not.toBeInTheDocument());
  });

  it('changes a role, and says so in words when it would leave no active owner', async () => {
    const calls = fakeApi({
      'GET /auth/me': me,
      'GET /admins': () => ({ status: 200, body: ADMINS }),
      'PATCH /admins/1': () => ({
        status: 409,
        body: { code: 'LAST_OWNER', message: ['root is the last active owner: make another owner first'] },
      }),
      'PATCH /admins/2': ({ body }) => ({ status: 200, body: { ...ADMINS[1], ...(body as object) } }),
    });
    show();
    fireEvent.click(await screen.findByRole('button', { name: 'Actions for root' }));
    fireEvent.click(await screen.findByRole('menuitem', { name: 'Change role…' }));
    let dialog = await screen.findByRole('dialog', { name: 'Role of root' });
    fireEvent.click(within(dialog).getByRole('combobox', { name: /^Role/ }));
    fireEvent.click(await screen.findByRole('option', { name: /^viewer/ }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save role' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'root is the last active owner: make another admin an owner first.',
    );
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    fireEvent.click(await screen.findByRole('button', { name: 'Actions for alice' }));
    fireEvent.click(await screen.findByRole('menuitem', { name: 'Change role…' }));
    dialog = await screen.findByRole('dialog', { name: 'Role of alice' });
    fireEvent.click(within(dialog).getByRole('combobox', { name: /^Role/ }));
    fireEvent.click(await screen.findByRole('option', { name: /^operator/ }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save role' }));
    expect(await screen.findByText('alice is now operator')).toBeInTheDocument();
    expect(calls.filter((call) => call.method === 'PATCH').map(({ path, body }) => ({ path, body }))).toEqual([
      { path: '/admins/1', body: { role: 'viewer' } },
      { path: '/admins/2', body: { role: 'operator' } },
    ]);
  });

  it('disables, enables and deletes after a confirmation that says their sessions end at once', async () => {
    const calls = fakeApi({
      'GET /auth/me': me,
      'GET /admins': () => ({ status: 200, body: ADMINS }),
      'PATCH /admins/2': () => ({ status: 200, body: { ...ADMINS[1], disabled: true } }),
      'PATCH /admins/3': () => ({ status: 200, body: { ...ADMINS[2], disabled: false } }),
      'DELETE /admins/2': () => ({ status: 204 }),
    });
    show();
    fireEvent.click(await screen.findByRole('button', { name: 'Actions for alice' }));
    fireEvent.click(await screen.findByRole('menuitem', { name: 'Disable…' }));
    let dialog = await screen.findByRole('dialog', { name: 'Disable alice?' });
    expect(dialog).toHaveTextContent('their sessions end at once');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Disable' }));
    expect(await screen.findByText('Admin disabled')).toBeInTheDocument();

    fireEvent.click(await screen.findByRole('button', { name: 'Actions for bob' }));
    fireEvent.click(await screen.findByRole('menuitem', { name: 'Enable' }));
    expect(await screen.findByText('Admin enabled')).toBeInTheDocument();

    fireEvent.click(await screen.findByRole('button', { name: 'Actions for alice' }));
    fireEvent.click(await screen.findByRole('menuitem', { name: 'Delete…' }));
    dialog = await screen.findByRole('dialog', { name: 'Delete alice?' });
    expect(dialog).toHaveTextContent('Their sessions end at once');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText('Admin deleted')).toBeInTheDocument();
    expect(calls.filter((call) => call.method !== 'GET').map(({ method, path, body }) => [method, path, body])).toEqual(
      [
        ['PATCH', '/admins/2', { disabled: true }],
        ['PATCH', '/admins/3', { disabled: false }],
        ['DELETE', '/admins/2', undefined],
      ],
    );
  });

  it('says in words why the last active owner cannot be deleted', async () => {
    fakeApi({
      'GET /auth/me': me,
      'GET /admins': () => ({ status: 200, body: ADMINS }),
      'DELETE /admins/1': () => ({
        status: 409,
        body: { code: 'LAST_OWNER', message: ['root is the last active owner'] },
      }),
    });
    show();
    fireEvent.click(await screen.findByRole('button', { name: 'Actions for root' }));
    fireEvent.click(await screen.findByRole('menuitem', { name: 'Delete…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete root?' });
    expect(dialog).toHaveTextContent('This is your own account');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    expect(
      await screen.findByText('root is the last active owner: make another admin an owner first.'),
    ).toBeInTheDocument();
    expect(screen.getByText('root was not deleted')).toBeInTheDocument();
  });
});
