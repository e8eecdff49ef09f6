import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi } from '../../../lib/fake-api.testing';
import { renderPage } from '../../../testing/render';
import { tokenRequest } from './new-token';
import { TokensPage } from './tokens-page';

const at = '2026-11-20T10:00:00.000Z';
const BOT = {
  id: 5,
  name: 'telegram-bot',
  role: 'bot',
  scopes: ['keys:read', 'keys:write'],
  prefix: 'fleet_ab12',
  createdBy: 'admin:root',
  createdAt: at,
  expiresAt: null,
  lastUsedAt: null,
};
const GRAFANA = {
  ...BOT,
  id: 6,
  name: 'grafana',
  role: null,
  scopes: ['metrics:read'],
  prefix: 'fleet_cd34',
  expiresAt: '2027-01-01T00:00:00.000Z',
  lastUsedAt: at,
};
const show = () => renderPage(<TokensPage />, { path: '/tokens' });

describe('TokensPage', () => {
  it('lists each token with its prefix, preset or custom scopes, expiry and last use', async () => {
    fakeApi({ 'GET /tokens': () => ({ status: 200, body: [BOT, GRAFANA] }) });
    show();
    const bot = (await screen.findByRole('rowheader', { name: /^telegram-bot/ })).closest('tr') as HTMLElement;
    expect(within(bot).getByText('fleet_ab12…')).toBeInTheDocument();
    expect(within(bot).getByText('bot')).toBeInTheDocument();
    expect(within(bot).getByText('keys:write')).toBeInTheDocument();
    expect(within(bot).getAllByText('never')).toHaveLength(2); // no expiry, never used
    const grafana = screen.getByRole('rowheader', { name: /^grafana/ }).closest('tr') as HTMLElement;
    expect(within(grafana).getByText('custom')).toBeInTheDocument();
    expect(within(grafana).getByText('metrics:read')).toBeInTheDocument();
    expect(within(grafana).getByText(new Date('2027-01-01T00:00:00.000Z').toLocaleString())).toBeInTheDocument();
    expect(screen.getByText('2 API tokens')).toBeInTheDocument();
  });

  it('asks for a name and a scope before sending, sends the picked scopes, and shows the token once', async () => {
    const calls = fakeApi({
      'GET /tokens': () => ({ status: 200, body: [] }),
      'POST /tokens': ({ body }) => ({
        status: 201,
        body: { ...GRAFANA, ...(body as object), role: null, token: 'fleet_cd34-the-whole-secret' },
      }),
    });
    show();
    fireEvent.click(await screen.findByRole('button', { name: 'New token' }));
    const form = await screen.findByRole('form', { name: 'New token' });
    fireEvent.click(within(form).getByRole('radio', { name: 'Pick scopes' }));
    fireEvent.click(within(form).getByRole('button', { name: 'Create token' }));
    expect(await within(form).findByText('Give the token a name')).toBeInTheDocument();
    expect(within(form).getByText('Pick at least one scope')).toBeInTheDocument();
    expect(calls.some((call) => call.method === 'POST')).toBe(false);

    fireEvent.change(within(form).getByLabelText(/^Name/), { target: { value: ' grafana ' } });
    fireEvent.click(within(form).getByRole('checkbox', { name: 'events:read' }));
    fireEvent.click(within(form).getByRole('checkbox', { name: 'nodes:read' }));
    expect(within(form).getByText(/^Expires at \(.+\)$/)).toBeInTheDocument(); // the operator's time zone
    fireEvent.click(within(form).getByRole('button', { name: 'Create token' }));

    const dialog = await screen.findByRole('dialog', { name: 'New API token' });
    expect(await within(dialog).findByLabelText('Token grafana')).toHaveValue('fleet_cd34-the-whole-secret');
    expect(within(dialog).getByRole('button', { name: 'Copy Token grafana' })).toBeInTheDocument();
    expect(within(dialog).getByRole('note')).toHaveTextContent('This token cannot be shown again');
    expect(calls.find((call) => call.method === 'POST')?.body).toEqual({
      name: 'grafana',
      scopes: ['nodes:read', 'events:read'],
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'I have copied it' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  });

  it('sends a preset, and shows the API’s refusal of a field next to it', async () => {
    const calls = fakeApi({
      'GET /tokens': () => ({ status: 200, body: [] }),
      'POST /tokens': () => ({
        status: 400,
        body: { code: 'VALIDATION_FAILED', message: ['name must not be blank'] },
      }),
    });
    show();
    fireEvent.click(await screen.findByRole('button', { name: 'New token' }));
    const form = await screen.findByRole('form', { name: 'New token' });
    fireEvent.change(within(form).getByLabelText(/^Name/), { target: { value: 'ci' } });
    fireEvent.click(within(form).getByRole('combobox', { name: 'Preset' }));
    fireEvent.click(await screen.findByRole('option', { name: 'viewer' }));
    expect(within(form).getByRole('combobox', { name: 'Preset' })).toHaveAccessibleDescription(
      'Reads nodes, users and events; changes nothing, sees no keys',
    );
    fireEvent.click(within(form).getByRole('button', { name: 'Create token' }));
    expect(await within(form).findByText('Name must not be blank')).toBeInTheDocument();
    expect(calls.find((call) => call.method === 'POST')?.body).toEqual({ name: 'ci', role: 'viewer' });
  });

  it('sends a picked expiry as the instant it is in the operator’s time zone', () => {
    const values = { name: 'ci', access: 'preset', preset: 'bot', scopes: [] } as const;
    expect(tokenRequest({ ...values, scopes: [], expiresAt: '2027-02-01 10:00:00' })).toEqual({
      name: 'ci',
      role: 'bot',
      expiresAt: new Date(2027, 1, 1, 10, 0).toISOString(),
    });
    expect(tokenRequest({ ...values, scopes: [], expiresAt: null })).toEqual({ name: 'ci', role: 'bot' });
  });

  it('revokes a token after a confirmation that says what stops working', async () => {
    const calls = fakeApi({
      'GET /tokens': () => ({ status: 200, body: [BOT] }),
      'DELETE /tokens/5': () => ({ status: 204 }),
    });
    show();
    fireEvent.click(await screen.findByRole('button', { name: 'Actions for telegram-bot' }));
    fireEvent.click(await screen.findByRole('menuitem', { name: 'Revoke…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Revoke telegram-bot?' });
    expect(dialog).toHaveTextContent('Whatever uses it is refused from now on');
    expect(calls.some((call) => call.method === 'DELETE')).toBe(false);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Revoke' }));
    expect(await screen.findByText('Token revoked')).toBeInTheDocument();
    expect(calls.filter((call) => call.method === 'DELETE').map((call) => call.path)).toEqual(['/tokens/5']);
  });
});
