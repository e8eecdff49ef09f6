import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi } from '../../lib/fake-api.testing';
import { renderPage } from '../../testing/render';
import { FleetShell } from './app-shell';

const NOTHING = {
  nodesDown: 0,
  failoversStalled: 0,
  nodesWithDrift: 0,
  jobsFailed: 0,
  usersExpiringSoon: 0,
  seatsWaiting: 0,
  total: 0,
};

describe('the attention strip', () => {
  it('names what needs looking at, each a link to its list; the navbar and the tab title show the total', async () => {
    fakeApi({
      'GET /stats/attention': () => ({
        status: 200,
        body: { ...NOTHING, nodesDown: 1, failoversStalled: 1, usersExpiringSoon: 12, total: 14 },
      }),
    });
    renderPage(<FleetShell />);
    const strip = await screen.findByRole('status', { name: 'Needs attention' });
    expect(within(strip).getByRole('link', { name: '1 node down' })).toHaveAttribute('href', '/nodes?health=unhealthy');
    expect(within(strip).getByRole('link', { name: '1 failover stalled' })).toHaveAttribute('href', '/rebalance');
    expect(within(strip).getByRole('link', { name: '12 users expiring soon' })).toHaveAttribute('href', '/users');
    expect(within(strip).queryByText(/drift/)).toBeNull();
    expect(screen.getByLabelText('14 need attention')).toHaveTextContent('14');
    await waitFor(() => expect(document.title).toBe('(14) VPN fleet'));
  });

  it('shows nothing when nothing needs attention', async () => {
    const calls = fakeApi({ 'GET /stats/attention': () => ({ status: 200, body: NOTHING }) });
    renderPage(<FleetShell />);
    await waitFor(() => expect(calls.some((call) => call.path === '/stats/attention')).toBe(true));
    await waitFor(() => expect(document.title).toBe('VPN fleet'));
    expect(screen.queryByRole('status', { name: 'Needs attention' })).toBeNull();
  });

  it('says so when the API does not answer, instead of showing an empty fleet', async () => {
    fakeApi({
      'GET /stats/attention': () => ({
        status: 503,
        body: { statusCode: 503, code: 'UNAVAILABLE', message: ['database unavailable'] },
      }),
    });
    renderPage(<FleetShell />);
    expect(await screen.findByText('The control plane does not answer')).toBeInTheDocument();
    expect(screen.getByText(/database unavailable/)).toBeInTheDocument();
  });
});
