import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { adminOf, fakeApi } from '../../../lib/fake-api.testing';
import { session } from '../../../lib/session';
import { renderPage } from '../../../testing/render';
import { AccountPage } from './account-page';

const show = () => renderPage(<AccountPage />, { path: '/account' });

async function typePasswords(current: string, next: string, repeated: string) {
  const form = await screen.findByRole('form', { name: 'Change password' });
  fireEvent.change(within(form).getByLabelText(/^Current password/), { target: { value: current } });
  fireEvent.change(within(form).getByLabelText(/^New password(?! again)/), { target: { value: next } });
  fireEvent.change(within(form).getByLabelText(/^New password again/), { target: { value: repeated } });
  fireEvent.click(within(form).getByRole('button', { name: 'Change password' }));
  return form;
}

describe('AccountPage', () => {
  it('says who is signed in, their role and what it may use', async () => {
    fakeApi({ 'GET /auth/me': () => ({ status: 200, body: adminOf('support', 'alice') }) });
    show();
    expect(await screen.findByRole('heading', { name: 'alice' })).toBeInTheDocument();
    expect(screen.getByText(/Reads everything; changes users’ access/)).toBeInTheDocument();
    const scopes = screen.getByRole('group', { name: 'Scopes' });
    expect(within(scopes).getByText('users:secrets')).toBeInTheDocument();
    expect(within(scopes).queryByText('admins:manage')).not.toBeInTheDocument();
  });

  it('refuses two different new passwords, or a short one, before sending anything', async () => {
    const calls = fakeApi({});
    show();
    const form = await typePasswords('the-old-password', 'a-new-password', 'a-new-passwort');
    await waitFor(() =>
      expect(within(form).getByLabelText(/^New password again/)).toHaveAccessibleDescription(
        'The two new passwords differ',
      ),
    );
    fireEvent.change(within(form).getByLabelText(/^New password(?! again)/), { target: { value: 'short' } });
    fireEvent.change(within(form).getByLabelText(/^New password again/), { target: { value: 'short' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Change password' }));
    await waitFor(() =>
      expect(within(form).getByLabelText(/^New password(?! again)/)).toHaveAccessibleDescription(
        /Must be at least 12 characters/,
      ),
    );
    expect(calls.some((call) => call.method === 'POST')).toBe(false);
  });

  it('says the current password is wrong next to it, and stays signed in', async () => {
    session.set('my-session', 3600);
    fakeApi({
      'POST /admins/me/password': () => ({
        status: 401,
        body: { statusCode: 401, code: 'INVALID_CREDENTIALS', message: ['currentPassword is wrong'] },
      }),
    });
    show();
    const form = await typePasswords('not-my-password', 'a-new-password', 'a-new-password');
    await waitFor(() =>
      expect(within(form).getByLabelText(/^Current password/)).toHaveAccessibleDescription(
        'The current password is wrong',
      ),
    );
    expect(session.token()).toBe('my-session');
  });

  it('changes the password and keeps the new token the API answers for this session', async () => {
    session.set('my-session', 3600);
    const calls = fakeApi({
      'POST /admins/me/password': () => ({ status: 200, body: { accessToken: 'the-new-token', expiresIn: 900 } }),
    });
    show();
    await typePasswords('the-old-password', 'a-new-password', 'a-new-password');
    expect(await screen.findByText('Password changed')).toBeInTheDocument();
    expect(session.token()).toBe('the-new-token');
    expect(calls.find((call) => call.method === 'POST')).toMatchObject({
      path: '/admins/me/password',
      body: { currentPassword: 'the-old-password', newPassword: 'a-new-password' },
    });
  });

  it('signs out everywhere, through the API', async () => {
    session.set('my-session', 3600);
    const calls = fakeApi({ 'POST /auth/logout-all': () => ({ status: 204 }) });
    show();
    fireEvent.click(await screen.findByRole('button', { name: 'Sign out everywhere' }));
    await waitFor(() => expect(session.token()).toBeNull());
    expect(calls.some((call) => call.path === '/auth/logout-all' && call.method === 'POST')).toBe(true);
  });
});
