import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi } from '../../lib/fake-api.testing';
import { session } from '../../lib/session';
import { renderPage } from '../../testing/render';
import { FleetShell } from './app-shell';
import { NotFound } from './page-states';

describe('the app shell', () => {
  it('names every section in the navbar and marks the current one', async () => {
    renderPage(<FleetShell />, { path: '/users/5' });
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    for (const name of ['Dashboard', 'Nodes', 'Groups', 'Users', 'Rebalance', 'Events']) {
      expect(screen.getByRole('link', { name })).toBeInTheDocument();
    }
    expect(nav.querySelector('[data-active]')?.textContent).toBe('Users');
  });

  it('switches between light, dark and the system scheme, and keeps the choice', async () => {
    renderPage(<FleetShell />);
    fireEvent.click(await screen.findByText('Dark'));
    expect(document.documentElement.getAttribute('data-mantine-color-scheme')).toBe('dark');
    expect(localStorage.getItem('mantine-color-scheme-value')).toBe('dark');
    fireEvent.click(screen.getByText('Light'));
    expect(document.documentElement.getAttribute('data-mantine-color-scheme')).toBe('light');
  });

  it('signs out here, or everywhere (every session of the admin, through the API)', async () => {
    session.set('a-token', 3600);
    const calls = fakeApi({ 'POST /auth/logout-all': () => ({ status: 204 }) });
    renderPage(<FleetShell />);
    fireEvent.click(await screen.findByRole('button', { name: 'Account' }));
    fireEvent.click(await screen.findByRole('menuitem', { name: 'Sign out everywhere' }));
    await waitFor(() => expect(session.token()).toBeNull());
    expect(calls.find((call) => call.path === '/auth/logout-all')).toMatchObject({ method: 'POST' });
  });

  it('an unknown address gets a not-found page with a way back', async () => {
    renderPage(<NotFound />, { path: '/no/such/page' });
    expect(await screen.findByRole('heading', { name: 'Not found' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Back to the dashboard' })).toHaveAttribute('href', '/');
  });
});
