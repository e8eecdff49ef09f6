import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi } from '../../../lib/fake-api.testing';
import { renderPage } from '../../../testing/render';
import type { DriftView } from '@fleet/contract';
import { driftSummary, NodeDrift } from './node-drift';

const none = { missing: 0, changed: 0, extra: 0, inbound: [] };
const checkedAt = '2026-12-01T00:00:00.000Z';
const found = { missing: 1, changed: 2, extra: 0, foreign: 3, inbound: [] };
const before: DriftView = { checkedAt, ...found, found, corrected: none, dryRun: true, sample: [] };
const repaired: DriftView = {
  checkedAt,
  ...none,
  foreign: 3,
  found,
  corrected: { missing: 1, changed: 2, extra: 0, inbound: [] },
  dryRun: false,
  sample: [],
};

describe('NodeDrift', () => {
  it('says what the last reconcile found, what it corrected and what still differs', () => {
    expect(driftSummary({ ...before, checkedAt: null })).toBe('Not reconciled yet.');
    expect(driftSummary(before)).toMatch(
      /^Dry run .*: found 1 missing, 2 changed; 1 missing, 2 changed still differ\./,
    );
    expect(driftSummary(repaired)).toMatch(
      /found 1 missing, 2 changed, corrected 1 missing, 2 changed; nothing differs/,
    );
    const partly = { ...repaired, changed: 1, corrected: { ...repaired.corrected, changed: 1 } };
    expect(driftSummary(partly)).toMatch(/corrected 1 missing, 1 changed; 1 changed still differ\./);
  });

  it('shows a dry run first, then what remains after the repair (not what the pass found)', async () => {
    let drift = before;
    const calls = fakeApi({
      'GET /nodes/1/drift': () => ({ status: 200, body: drift }),
      'POST /nodes/1/reconcile': ({ body }) => {
        if ((body as { dryRun?: boolean }).dryRun) return { status: 200, body: { ...before, dryRun: true } };
        drift = repaired;
        return { status: 200, body: repaired };
      },
    });
    renderPage(<NodeDrift id={1} />);
    expect(await screen.findByText(/1 missing, 2 changed still differ/)).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Reconcile now…' }));
    expect(await screen.findByRole('status')).toHaveTextContent(/A reconcile would repair 1 missing, 2 changed/);
    expect(calls.filter((call) => call.method === 'POST').map((call) => call.body)).toEqual([{ dryRun: true }]);
    fireEvent.click(screen.getByRole('button', { name: 'Repair' }));
    expect(await screen.findByText(/nothing differs now/)).toBeInTheDocument();
    expect(calls.filter((call) => call.method === 'POST').map((call) => call.body)).toEqual([{ dryRun: true }, {}]);
  });
});
