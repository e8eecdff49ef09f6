import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { adminOf, fakeApi } from '../../../lib/fake-api.testing';
import { renderPage } from '../../../testing/render';
import { sampleNode } from '../../../testing/sample-node';
import { NodesPage } from './nodes-page';

describe('NodesPage', () => {
  it('asks the API for one page at a time, filtered, and pages through the total', async () => {
    const calls = fakeApi({
      'GET /nodes': ({ path }) => {
        const query = new URLSearchParams(path.split('?')[1]);
        const page = Number(query.get('page'));
        const nodes =
          query.get('health') === 'unhealthy'
            ? [sampleNode({ id: 9, name: 'dead-1' })]
            : [sampleNode({ id: page, name: `node-p${page}` })];
        const total = query.get('health') ? 1 : 120;
        return { status: 200, body: { items: nodes, total, page, limit: 50, nextCursor: null } };
      },
    });
    renderPage(<NodesPage />, { path: '/nodes' });
    expect(await screen.findByText('node-p1')).toBeInTheDocument();
    expect(screen.getByText('Page 1 of 3')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('node-p2')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('combobox', { name: 'Health' }));
    fireEvent.click(await screen.findByRole('option', { name: 'unhealthy' }));
    expect(await screen.findByText('dead-1')).toBeInTheDocument();
    expect(screen.queryByText(/Page \d of/)).not.toBeInTheDocument();
    await waitFor(() => expect(calls.at(-1)?.path).toBe('/nodes?limit=50&page=1&health=unhealthy'));
    expect(calls.map((call) => call.path)).toContain('/nodes?limit=50&page=2');
  });

  it('takes its filters from the address (the dashboard’s cards link to them)', async () => {
    const calls = fakeApi({
      'GET /nodes': () => ({ status: 200, body: { items: [], total: 0, page: 1, limit: 50, nextCursor: null } }),
    });
    renderPage(<NodesPage />, { path: '/nodes?health=unhealthy&status=bogus', pattern: '/nodes' });
    const nodeCalls = () => calls.filter((call) => call.path.startsWith('/nodes'));
    await waitFor(() => expect(nodeCalls().at(-1)?.path).toBe('/nodes?limit=50&page=1&health=unhealthy'));
  });

  it('offers Add node only to a role that may change nodes', async () => {
    fakeApi({
      'GET /auth/me': () => ({ status: 200, body: adminOf('viewer') }),
      'GET /nodes': () => ({ status: 200, body: { items: [sampleNode({ id: 1, name: 'ams-1' })], total: 1 } }),
    });
    renderPage(<NodesPage />, { path: '/nodes' });
    expect(await screen.findByText('ams-1')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Add node' })).not.toBeInTheDocument();
  });

  it('says the API failed, with a retry, instead of offering to add the first node', async () => {
    let up = false;
    fakeApi({
      'GET /nodes': () =>
        up
          ? { status: 200, body: { items: [], total: 0, page: 1, limit: 50, nextCursor: null } }
          : { status: 503, body: { statusCode: 503, code: 'UNAVAILABLE', message: ['database unavailable'] } },
    });
    renderPage(<NodesPage />, { path: '/nodes' });
    expect(await screen.findByText('The nodes could not be loaded')).toBeInTheDocument();
    expect(screen.queryByText(/No nodes yet/)).toBeNull();
    up = true;
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText(/No nodes yet/)).toBeInTheDocument();
  });
});

const INBOUNDS = [
  { id: 1, protocol: 'vless', port: 443, remark: 'vless-reality', enable: true },
  { id: 2, protocol: 'vmess', port: 8443, remark: 'vmess-ws', enable: false },
];

describe('the add-node wizard', () => {
  const open = async () => {
    renderPage(<NodesPage />, { path: '/nodes' });
    fireEvent.click(await screen.findByRole('button', { name: 'Add node' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Panel URL/), { target: { value: 'https://p.example.com/x/' } });
    fireEvent.change(within(dialog).getByLabelText(/Panel username/), { target: { value: 'admin' } });
    fireEvent.change(within(dialog).getByLabelText(/^Panel password/), { target: { value: 'secret-pass' } });
    return dialog;
  };
  const emptyList = () => ({ status: 200, body: { items: [], total: 0, page: 1, limit: 50, nextCursor: null } });

  it('tests the panel first, picks the inbound from its list, requires the capacity, then saves', async () => {
    const calls = fakeApi({
      'GET /nodes': emptyList,
      'GET /groups': () => ({ status: 200, body: [] }),
      'POST /nodes/test-connection': () => ({
        status: 200,
        body: { ok: true, responseTimeMs: 12, inbounds: INBOUNDS },
      }),
      'POST /nodes': () => ({ status: 201, body: { id: 5, name: 'ams-1' } }),
    });
    const dialog = await open();
    expect(within(dialog).getByRole('button', { name: 'Next' })).toBeDisabled();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Test connection' }));
    expect(await within(dialog).findByText(/2 inbound\(s\) on the panel/)).toBeInTheDocument();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Next' }));
    // The only enabled inbound is chosen; the disabled one cannot be.
    expect(await within(dialog).findByLabelText('#1 vless:443 — vless-reality')).toBeChecked();
    expect(within(dialog).getByLabelText(/#2 vmess:8443/)).toBeDisabled();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Next' }));
    fireEvent.change(await within(dialog).findByLabelText(/^Name/), { target: { value: 'ams-1' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add node' }));
    expect(await within(dialog).findByText('Capacity is required')).toBeInTheDocument();
    expect(calls.some((call) => call.method === 'POST' && call.path === '/nodes')).toBe(false);
    fireEvent.change(within(dialog).getByLabelText(/^Capacity/), { target: { value: '200' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add node' }));
    await waitFor(() => expect(calls.some((call) => call.method === 'POST' && call.path === '/nodes')).toBe(true));
    expect(calls.find((call) => call.path === '/nodes/test-connection')!.body).toEqual({
      panelUrl: 'https://p.example.com/x/',
      panelUsername: 'admin',
      panelPassword: 'secret-pass',
      tlsVerify: true,
    });
    expect(calls.find((call) => call.method === 'POST' && call.path === '/nodes')!.body).toMatchObject({
      panelUrl: 'https://p.example.com/x/',
      inboundId: 1,
      name: 'ams-1',
      maxUsers: 200,
      priority: 100,
      weight: 1,
    });
  });

  it('refuses to go on with a wrong password unless told to, then asks for the inbound id by hand', async () => {
    fakeApi({
      'GET /nodes': emptyList,
      'GET /groups': () => ({ status: 200, body: [] }),
      'POST /nodes/test-connection': () => ({
        status: 200,
        body: {
          ok: false,
          responseTimeMs: 8,
          inbounds: [],
          error: 'auth-failed: login refused',
          panelText: 'Invalid username or password or two-factor code.',
        },
      }),
    });
    const dialog = await open();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Test connection' }));
    expect(await within(dialog).findByText('The panel cannot be used')).toBeInTheDocument();
    expect(within(dialog).getByText('auth-failed: login refused')).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Next' })).toBeDisabled();
    fireEvent.click(within(dialog).getByLabelText(/Add it anyway/));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Next' }));
    expect(await within(dialog).findByLabelText(/Inbound id/)).toBeInTheDocument();
    // Changing the sign-in afterwards makes the test stale again.
    fireEvent.click(within(dialog).getByRole('button', { name: 'Back' }));
    fireEvent.change(within(dialog).getByLabelText(/^Panel password/), { target: { value: 'another' } });
    expect(within(dialog).getByRole('button', { name: 'Next' })).toBeDisabled();
  });

  it('shows a refusal of the API on the step that asks for the field', async () => {
    fakeApi({
      'GET /nodes': emptyList,
      'GET /groups': () => ({ status: 200, body: [] }),
      'POST /nodes/test-connection': () => ({ status: 200, body: { ok: true, responseTimeMs: 5, inbounds: INBOUNDS } }),
      'POST /nodes': () => ({
        status: 400,
        body: { statusCode: 400, code: 'VALIDATION_FAILED', message: ['panelUrl must not carry credentials'] },
      }),
    });
    const dialog = await open();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Test connection' }));
    await within(dialog).findByText('Signed in');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Next' }));
    fireEvent.click(await within(dialog).findByRole('button', { name: 'Next' }));
    fireEvent.change(await within(dialog).findByLabelText(/^Name/), { target: { value: 'n' } });
    fireEvent.change(within(dialog).getByLabelText(/^Capacity/), { target: { value: '10' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add node' }));
    expect(await within(dialog).findByText('Panel URL must not carry credentials')).toBeInTheDocument();
  });
});
