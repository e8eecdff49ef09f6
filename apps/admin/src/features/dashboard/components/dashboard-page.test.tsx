import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi } from '../../../lib/fake-api.testing';
import { renderPage } from '../../../testing/render';
import { DashboardPage } from './dashboard-page';

const OVERVIEW = {
  nodes: { total: 3, healthy: 2, unhealthy: 1, unknown: 0, maintenance: 0, inactive: 0 },
  users: { total: 10, placed: 9 },
  access: { active: 8, on_hold: 0, disabled: 1, expired: 1, limited: 0, expiringSoon: 2 },
  capacity: { max: 60, free: 40 },
  jobs: { running: 0, queuedMoves: 0 },
  alerts: { nodeDownLast24h: 1, seatsWaiting: 0 },
  usage: { last24h: { up: 1e6, down: 9e6 } },
};

describe('DashboardPage', () => {
  it('says the API failed (with Retry) instead of showing an empty fleet, then shows the cards as links', async () => {
    let up = false;
    fakeApi({
      'GET /stats/overview': () =>
        up
          ? { status: 200, body: OVERVIEW }
          : { status: 503, body: { statusCode: 503, code: 'UNAVAILABLE', message: ['database unavailable'] } },
    });
    renderPage(<DashboardPage />);
    expect(await screen.findByText("The fleet's figures could not be loaded")).toBeInTheDocument();
    up = true;
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('link', { name: 'Unhealthy nodes' })).toHaveAttribute(
      'href',
      '/nodes?health=unhealthy',
    );
    expect(screen.getByRole('link', { name: 'expired' })).toHaveAttribute('href', '/users?status=expired');
  });
});
