import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi } from '../../../lib/fake-api.testing';
import { session } from '../../../lib/session';
import { renderPage } from '../../../testing/render';
import { LoginPage } from './login-page';

const show = () => renderPage(<LoginPage />);

function signIn(username: string, password: string) {
  fireEvent.change(screen.getByLabelText(/^Username/), { target: { value: username } });
  fireEvent.change(screen.getByLabelText(/^Password/), { target: { value: password } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('LoginPage', () => {
  it('keeps the access token for the session after a good login', async () => {
    const calls = fakeApi({
      'POST /auth/login': () => ({ status: 200, body: { accessToken: 'jwt-1', expiresIn: 3600 } }),
    });
    show();
    signIn('admin', 'secret-password');
    await waitFor(() => expect(session.token()).toBe('jwt-1'));
    expect(calls[0]).toEqual({
      method: 'POST',
      path: '/auth/login',
      body: { username: 'admin', password: 'secret-password' },
    });
  });

  it('shows the API’s message on wrong credentials and keeps no token', async () => {
    fakeApi({ 'POST /auth/login': () => ({ status: 401, body: { message: ['invalid username or password'] } }) });
    show();
    signIn('admin', 'wrong');
    expect(await screen.findByRole('alert')).toHaveTextContent('invalid username or password');
    expect(session.token()).toBeNull();
  });
});
