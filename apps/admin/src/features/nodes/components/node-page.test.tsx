import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { NodeServerFigures } from '@fleet/contract';
import { fakeApi } from '../../../lib/fake-api.testing';
import { renderPage } from '../../../testing/render';
import { everyNode, sampleNode } from '../../../testing/sample-node';
import { NodePage } from './node-page';

const job = (fields: Record<string, unknown>) => ({
  id: 4,
  kind: 'failover',
  nodeId: 1,
  status: 'completed',
  total: 12,
  done: 12,
  failed: 0,
  error: null,
  ...fields,
});
const JOBS = (items: unknown[]) => ({ status: 200, body: { items, total: items.length, page: 1, limit: 20 } });
const show = () => renderPage(<NodePage id={1} />, { path: '/nodes/1' });

const FIGURES: NodeServerFigures = {
  cpuPercent: 97,
  memory: { used: 1_200_000_000, total: 2_000_000_000 },
  disk: { used: 9_000_000_000, total: 40_000_000_000 },
  xray: { state: 'running', version: '25.10.15' },
  uptimeSeconds: 14 * 86_400 + 3 * 3600,
  load: [0.08, 0.03, 0.01],
  net: { upBytesPerSecond: 5100, downBytesPerSecond: 18_400 },
  tcpConnections: 61,
  udpConnections: 9,
  onlineClients: 2,
  at: '2026-11-22T00:00:00.000Z',
};
const check = (minute: number, cpuPercent: number | null, memoryPercent: number | null) => ({
  checkedAt: `2026-11-22T00:${String(minute).padStart(2, '0')}:00.000Z`,
  ok: cpuPercent !== null,
  healthStatus: 'healthy',
  responseTimeMs: 40,
  cpu: cpuPercent,
  memUsed: null,
  memTotal: null,
  cpuPercent,
  memoryPercent,
  onlineClients: 2,
  xrayState: 'running',
  error: null,
});

describe('NodePage', () => {
  it('a node that does not exist gets a not-found page', async () => {
    fakeApi({
      'GET /nodes/1': () => ({ status: 404, body: { statusCode: 404, code: 'NODE_NOT_FOUND', message: ['gone'] } }),
    });
    show();
    expect(await screen.findByText('This node does not exist (or no longer does).')).toBeInTheDocument();
  });

  it('shows where a fallen node’s users went, and suggests a rebalance once it serves again empty', async () => {
    fakeApi({
      'GET /nodes/1': () => ({ status: 200, body: sampleNode({ id: 1, name: 'ams-1', currentUsers: 0 }) }),
      'GET /nodes': () => ({ status: 200, body: everyNode([sampleNode({ id: 1, name: 'ams-1' })]) }),
      'GET /jobs': () => JOBS([job({}), job({ id: 2, nodeId: 9 })]),
    });
    show();
    expect(await screen.findByText(/failover #4: completed, 12 of 12 moved/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'a rebalance' })).toHaveAttribute('href', '/rebalance');
  });

  it('drains after a confirmation that says how many users move, then follows the job', async () => {
    const calls = fakeApi({
      'GET /nodes/1': () => ({ status: 200, body: sampleNode({ id: 1, name: 'ams-1', currentUsers: 7 }) }),
      'GET /nodes': () => ({ status: 200, body: everyNode([sampleNode({ id: 1, name: 'ams-1' })]) }),
      'GET /jobs': () => JOBS([]),
      'POST /nodes/1/drain': () => ({ status: 202, body: { jobId: 8 } }),
      'GET /jobs/8': () => ({ status: 200, body: job({ id: 8, kind: 'drain', status: 'running', total: 7, done: 3 }) }),
    });
    show();
    fireEvent.click(await screen.findByRole('button', { name: 'Drain (move users away)…' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('its 7 users move to other nodes of its group');
    expect(calls.some((call) => call.method === 'POST')).toBe(false);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Drain' }));
    expect(await screen.findByText(/drain #8: running, 3 of 7 moved/)).toBeInTheDocument();
    await waitFor(() => expect(calls.some((call) => call.path === '/nodes/1/drain')).toBe(true));
  });

  describe('server figures', () => {
    const api = (fields: Parameters<typeof sampleNode>[0], history: unknown[] = []) =>
      fakeApi({
        'GET /nodes/1': () => ({ status: 200, body: sampleNode({ id: 1, name: 'ams-1', ...fields }) }),
        'GET /nodes': () => ({ status: 200, body: everyNode([sampleNode({ id: 1, name: 'ams-1' })]) }),
        'GET /jobs': () => JOBS([]),
        'GET /nodes/1/health': () => ({ status: 200, body: history }),
      });
    const figure = (label: string) => screen.getByRole('group', { name: label });

    it('shows CPU, memory and disk as bars and the rest as figures; a busy CPU says why no users come', async () => {
      api(
        {
          server: FIGURES,
          lastHealthCheck: FIGURES.at,
          eligible: false,
          ineligibleReason: 'its CPU is at 97 % (busy above 90 %)',
        },
        [check(2, 97, 60), check(1, null, null), check(0, 35, 58.5)],
      );
      show();
      const cpu = await screen.findByRole('progressbar', { name: 'CPU' });
      expect(cpu).toHaveAttribute('aria-valuenow', '97');
      expect(screen.getByRole('progressbar', { name: 'Memory' })).toHaveAttribute('aria-valuenow', '60');
      expect(screen.getByRole('progressbar', { name: 'Disk' })).toHaveAttribute('aria-valuenow', '22.5');
      expect(screen.getByText('1.2 GB of 2.0 GB')).toBeInTheDocument();
      expect(screen.getByText('9.0 GB of 40.0 GB')).toBeInTheDocument();
      expect(figure('Xray')).toHaveTextContent('running 25.10.15');
      expect(figure('Uptime')).toHaveTextContent('14 d 3 h');
      expect(figure('Load 1 · 5 · 15 min')).toHaveTextContent('0.08 · 0.03 · 0.01');
      expect(figure('Network')).toHaveTextContent('↑ 5.1 kB/s ↓ 18.4 kB/s');
      expect(figure('Connections')).toHaveTextContent('TCP 61 · UDP 9');
      expect(figure('Online')).toHaveTextContent('2 clients');
      expect(screen.getByText(/^Read at /)).toBeInTheDocument();
      expect(screen.getByText('Takes no new users: its CPU is at 97 % (busy above 90 %).')).toBeInTheDocument();
      expect(await screen.findByRole('figure', { name: 'ams-1 CPU' })).toBeInTheDocument();
      expect(screen.getByRole('figure', { name: 'ams-1 memory' })).toBeInTheDocument();
    });

    it('an older panel’s missing figures read “not reported” or —; figures the last check could not read say so', async () => {
      api({
        server: {
          ...FIGURES,
          cpuPercent: null,
          disk: { used: null, total: null },
          uptimeSeconds: null,
          load: null,
          net: { upBytesPerSecond: null, downBytesPerSecond: null },
          tcpConnections: null,
          udpConnections: null,
          onlineClients: null,
        },
        lastHealthCheck: '2026-11-22T00:05:00.000Z',
      });
      show();
      expect(await screen.findByText(/^As of .*: the last check could not read the panel\.$/)).toBeInTheDocument();
      expect(screen.queryByRole('progressbar', { name: 'CPU' })).not.toBeInTheDocument();
      expect(screen.getByRole('progressbar', { name: 'Memory' })).toHaveAttribute('aria-valuenow', '60');
      expect(screen.getAllByText('not reported')).toHaveLength(2);
      expect(figure('Uptime')).toHaveTextContent('—');
      expect(figure('Load 1 · 5 · 15 min')).toHaveTextContent('—');
      expect(figure('Network')).toHaveTextContent('↑ — ↓ —');
      expect(figure('Connections')).toHaveTextContent('TCP — · UDP —');
      expect(figure('Online')).toHaveTextContent('—');
      expect(screen.queryByRole('figure', { name: 'ams-1 CPU' })).not.toBeInTheDocument();
    });

    it('a node never read yet says where its figures will come from', async () => {
      api({ server: null });
      show();
      expect(
        await screen.findByText('No figures yet: the first check that reaches the panel reads them.'),
      ).toBeVisible();
      expect(screen.queryByRole('progressbar', { name: 'CPU' })).not.toBeInTheDocument();
    });
  });

  describe('editing in the wizard', () => {
    const GROUPS = [
      { id: 1, name: 'default', countryCode: null, sortOrder: 0, defaultForNewUsers: true, nodeCount: 3 },
      { id: 4, name: 'Germany', countryCode: 'DE', sortOrder: 10, defaultForNewUsers: false, nodeCount: 0 },
    ];
    const api = () =>
      fakeApi({
        'GET /nodes/1': () => ({ status: 200, body: sampleNode({ id: 1, name: 'ams-1', inboundId: 1 }) }),
        'GET /nodes': () => ({ status: 200, body: everyNode([sampleNode({ id: 1, name: 'ams-1' })]) }),
        'GET /jobs': () => JOBS([]),
        'GET /groups': () => ({ status: 200, body: GROUPS }),
        'POST /nodes/1/test-connection': () => ({
          status: 200,
          body: {
            ok: true,
            responseTimeMs: 9,
            inbounds: [
              { id: 1, protocol: 'vless', port: 443, remark: 'reality', enable: true },
              { id: 3, protocol: 'trojan', port: 8443, remark: 'trojan-ws', enable: true },
            ],
          },
        }),
        'POST /nodes/test-connection': () => ({ status: 200, body: { ok: true, responseTimeMs: 9, inbounds: [] } }),
        'PATCH /nodes/1': ({ body }) => ({ status: 200, body: { ...sampleNode({}), ...(body as object) } }),
      });
    const edit = async () => {
      show();
      fireEvent.click(await screen.findByRole('button', { name: 'Edit' }));
      return screen.findByRole('dialog');
    };
    const writes = (calls: ReturnType<typeof api>) => calls.filter((call) => call.method === 'PATCH');

    it('sends only what changed; an unchanged sign-in needs no new test and is tried with the stored password', async () => {
      const calls = api();
      const dialog = await edit();
      expect(within(dialog).getByLabelText(/Panel URL/)).toHaveValue('https://ams:2053/x/');
      expect(within(dialog).getByLabelText(/^Panel password/)).toHaveAttribute('placeholder', 'unchanged');
      fireEvent.click(within(dialog).getByRole('button', { name: 'Test connection' }));
      await within(dialog).findByText('Signed in');
      expect(calls.some((call) => call.path === '/nodes/test-connection')).toBe(false);
      fireEvent.click(within(dialog).getByRole('button', { name: 'Next' }));
      fireEvent.click(await within(dialog).findByLabelText(/#3 trojan:8443/));
      fireEvent.click(within(dialog).getByRole('button', { name: 'Next' }));
      expect(await within(dialog).findByLabelText(/^Name/)).toHaveValue('ams-1');
      fireEvent.change(within(dialog).getByLabelText(/^Capacity/), { target: { value: '150' } });
      fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
      await waitFor(() => expect(writes(calls)).toHaveLength(1));
      expect(writes(calls)[0]).toMatchObject({ path: '/nodes/1', body: { maxUsers: 150, inboundId: 3 } });
      expect(Object.keys(writes(calls)[0].body as object).sort()).toEqual(['inboundId', 'maxUsers']);
    });

    it('a changed address needs the password and a new test of the typed sign-in before going on', async () => {
      const calls = api();
      const dialog = await edit();
      expect(within(dialog).getByRole('button', { name: 'Next' })).toBeEnabled();
      fireEvent.change(within(dialog).getByLabelText(/Panel URL/), { target: { value: 'https://ams2:2053/x/' } });
      expect(within(dialog).getByRole('button', { name: 'Next' })).toBeDisabled();
      fireEvent.click(within(dialog).getByRole('button', { name: 'Test connection' }));
      expect(await within(dialog).findByText('Panel password is required')).toBeInTheDocument();
      fireEvent.change(within(dialog).getByLabelText(/^Panel password/), { target: { value: 'new-secret' } });
      fireEvent.click(within(dialog).getByRole('button', { name: 'Test connection' }));
      await within(dialog).findByText('Signed in');
      expect(calls.find((call) => call.path === '/nodes/test-connection')!.body).toMatchObject({
        panelUrl: 'https://ams2:2053/x/',
        panelPassword: 'new-secret',
      });
      fireEvent.click(within(dialog).getByRole('button', { name: 'Next' }));
      fireEvent.click(await within(dialog).findByRole('button', { name: 'Next' }));
      fireEvent.click(await within(dialog).findByRole('button', { name: 'Save' }));
      await waitFor(() => expect(writes(calls)).toHaveLength(1));
      expect(writes(calls)[0].body).toEqual({ panelUrl: 'https://ams2:2053/x/', panelPassword: 'new-secret' });
    });
  });
});
