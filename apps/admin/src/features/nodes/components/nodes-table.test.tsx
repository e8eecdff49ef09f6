import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { renderPage } from '../../../testing/render';
import { sampleNode } from '../../../testing/sample-node';
import { driftText, NodesTable } from './nodes-table';

describe('NodesTable', () => {
  it('shows status and health in words, the load and the response time', () => {
    renderPage(
      <NodesTable
        nodes={[
          sampleNode({}),
          sampleNode({
            id: 2,
            name: 'fra-1',
            healthStatus: 'unhealthy',
            status: 'maintenance',
            lastError: 'unreachable: connect failed',
            responseTimeMs: null,
            eligible: false,
            ineligibleReason: 'status is maintenance',
          }),
        ]}
      />,
    );
    const [, first, second] = screen.getAllByRole('row');
    expect(within(first).getByText('healthy')).toBeInTheDocument();
    expect(within(first).getByText('25 / 100 users')).toBeInTheDocument();
    expect(within(first).getByText(/^25 %/)).toBeInTheDocument();
    expect(within(first).getByText('42 ms')).toBeInTheDocument();
    expect(within(second).getByText('unhealthy')).toHaveClass('badge-bad');
    expect(within(second).getByText('maintenance')).toBeInTheDocument();
    expect(within(second).getByText('unreachable: connect failed')).toBeInTheDocument();
    // Whether a node takes users comes from the API, in its words.
    expect(within(first).getByText('takes users')).toBeInTheDocument();
    expect(within(second).getByText('no new users: status is maintenance')).toBeInTheDocument();
  });

  it('shows the server’s CPU and memory as bars, and a dash before any report', () => {
    const at = '2026-12-06T10:00:00.000Z';
    const server = {
      cpuPercent: 93.4,
      memory: { used: 3e9, total: 4e9 },
      disk: { used: null, total: null },
      xray: { state: 'running', version: '25.9.11' },
      uptimeSeconds: 3600,
      load: [0.5, 0.4, 0.3],
      net: { upBytesPerSecond: 1000, downBytesPerSecond: 2000 },
      tcpConnections: 10,
      udpConnections: 2,
      onlineClients: 3,
      at,
    };
    renderPage(<NodesTable nodes={[sampleNode({ server }), sampleNode({ id: 2, name: 'fra-1', server: null })]} />);
    const [, first, second] = screen.getAllByRole('row');
    expect(within(first).getByRole('progressbar', { name: 'ams-1 CPU' })).toHaveAttribute('aria-valuenow', '93.4');
    expect(within(first).getByText('93 %')).toBeInTheDocument();
    expect(within(first).getByRole('progressbar', { name: 'ams-1 RAM' })).toHaveAttribute('aria-valuenow', '75');
    expect(within(first).getByText('75 %')).toBeInTheDocument();
    expect(within(second).queryByRole('progressbar')).toBeNull();
  });

  it('runs a connection test from the row’s actions and lists the inbounds', async () => {
    const onTest = vi.fn();
    renderPage(
      <NodesTable
        nodes={[sampleNode({})]}
        onTest={onTest}
        tests={{
          1: {
            ok: true,
            responseTimeMs: 12,
            inbounds: [{ id: 1, protocol: 'vless', port: 443, remark: 'r', enable: true }],
          },
        }}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Actions for ams-1' }));
    fireEvent.click(await screen.findByRole('menuitem', { name: 'Test connection' }));
    expect(onTest).toHaveBeenCalledWith(1);
    expect(screen.getByRole('status')).toHaveTextContent('OK in 12 ms; inbounds: #1 vless:443');
  });

  it('says so when there is no node', () => {
    renderPage(<NodesTable nodes={[]} />);
    expect(screen.getByText(/No nodes yet/)).toBeInTheDocument();
  });

  it('says what still differs after the last reconcile in a few words', () => {
    expect(driftText(null)).toBe('not checked');
    const checkedAt = '2026-12-01T00:00:00.000Z';
    expect(driftText({ checkedAt, missing: 0, changed: 0, extra: 0, inbound: [] })).toBe('none');
    expect(driftText({ checkedAt, missing: 3, changed: 0, extra: 1, inbound: [] })).toBe('3 missing, 1 extra');
    expect(driftText({ checkedAt, missing: 0, changed: 2, extra: 0, inbound: ['port'] })).toBe(
      'inbound port, 2 changed',
    );
  });
});
