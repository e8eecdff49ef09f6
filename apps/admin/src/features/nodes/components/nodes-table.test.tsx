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
