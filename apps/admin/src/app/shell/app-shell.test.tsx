import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { adminOf, fakeApi } from '../../lib/fake-api.testing';
import { session } from '../../lib/session';
import { renderPage } from '../../testing/render';
import { FleetShell } from './app-shell';
import { NotFound } from './page-states';
import { RequireScope } from './require-scope';

const navLinks = async () => {
  const nav = await screen.findByRole('navigation', { name: 'Main' });
  await within(nav).findByRole('link', { name: 'Dashboard' });
  return within(nav)
    .getAllByRole('link')
    .map((link) => link.textContent);
};

describe('the app shell', () => {
  it('names every section in the navbar and marks the current one', async () => {
    fakeApi({});
    renderPage(<FleetShell />, { path: '/users/5' });
    expect(await navLinks()).toEqual([
      'Dashboard',
      'Nodes',
      'Groups',
      'Users',
      'Rebalance',
      'Events',
      'Admins',
      'API tokens',
    ]);
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(nav.querySelector('[data-active]')?.textContent).toBe('Users');
  });

  it('shows only the sections the caller’s role may open, and none before its role is known', async () => {
    fakeApi({ 'GET /auth/me': () => ({ status: 200, body: adminOf('operator') }) });
    const { unmount } = renderPage(<FleetShell />);
    // (the API has not answered yet)
    expect(within(screen.getByRole('navigation', { name: 'Main' })).queryAllByRole('link')).toEqual([]);
    expect(await navLinks()).toEqual(['Dashboard', 'Nodes', 'Groups', 'Users', 'Rebalance', 'Events']);
    unmount();
    fakeApi({ 'GET /auth/me': () => ({ status: 200, body: adminOf('viewer') }) });
    renderPage(<FleetShell />);
    expect(await navLinks()).not.toContain('Admins');
  });

  it('a page the role may not use says so instead of showing it', async () => {
    fakeApi({ 'GET /auth/me': () => ({ status: 200, body: adminOf('operator') }) });
    renderPage(<RequireScope scope="admins:manage" doing="manage admins" />, { path: '/admins' });
    expect(await screen.findByRole('heading', { name: 'Not allowed' })).toBeInTheDocument();
    expect(screen.getByText(/Your role \(operator\) may not manage admins\./)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Back to the dashboard' })).toHaveAttribute('href', '/');
  });

  it('the Account menu names who is signed in and leads to their account page', async () => {
    fakeApi({ 'GET /auth/me': () => ({ status: 200, body: adminOf('support', 'alice') }) });
    renderPage(<FleetShell />);
    await navLinks();
    fireEvent.click(screen.getByRole('button', { name: 'Account' }));
    expect(await screen.findByText('alice · support')).toBeInTheDocument();
    expect(screen.getByRole('menuitem', { name: 'My account' })).toHaveAttribute('href', '/account');
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
