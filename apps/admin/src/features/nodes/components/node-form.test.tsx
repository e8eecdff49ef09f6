import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi } from '../../../lib/fake-api.testing';
import { sampleNode } from '../../../testing/sample-node';
import { NodeForm } from './node-form';

const renderForm = (onSaved = vi.fn()) =>
  render(
    <QueryClientProvider client={new QueryClient()}>
      <NodeForm onSaved={onSaved} />
    </QueryClientProvider>,
  );

const fill = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

const GROUPS = [
  { id: 1, name: 'default', countryCode: null, sortOrder: 0, defaultForNewUsers: true, nodeCount: 3 },
  { id: 4, name: 'Germany', countryCode: 'DE', sortOrder: 10, defaultForNewUsers: false, nodeCount: 0 },
];
const listGroups = () => ({ status: 200, body: GROUPS });
/** The calls that write (the form also reads the groups for its picker). */
const writes = <T extends { method: string }>(calls: T[]) => calls.filter((call) => call.method !== 'GET');

function fillRequired() {
  fill('Name', 'fra-1');
  fill('Panel URL (with its base path)', 'https://fra.example.com:2053/x/');
  fill('Panel username', 'admin');
  fill('Panel password', 'pw');
}

describe('NodeForm', () => {
  it('sends typed values and reports the new node', async () => {
    const calls = fakeApi({
      'GET /groups': listGroups,
      'POST /nodes': ({ body }) => ({ status: 201, body: { id: 7, ...(body as object) } }),
    });
    const onCreated = vi.fn();
    renderForm(onCreated);
    fillRequired();
    fill('Max users', '500');
    fill('Weight', '1.5');
    fireEvent.click(screen.getByRole('button', { name: 'Add node' }));
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith(7));
    expect(writes(calls)[0].body).toEqual({
      name: 'fra-1',
      panelUrl: 'https://fra.example.com:2053/x/',
      panelUsername: 'admin',
      panelPassword: 'pw',
      maxUsers: 500,
      weight: 1.5,
    });
  });

  it('edits a node: sends only what changed, the password only when typed, and takes an inbound chosen outside', async () => {
    const calls = fakeApi({
      'GET /groups': listGroups,
      'PATCH /nodes/1': ({ body }) => ({ status: 200, body: { ...sampleNode({}), ...(body as object) } }),
    });
    const { rerender } = render(
      <QueryClientProvider client={new QueryClient()}>
        <NodeForm node={sampleNode({})} />
      </QueryClientProvider>,
    );
    expect(screen.getByLabelText('Name')).toHaveValue('ams-1');
    fill('Max users', '150');
    rerender(
      <QueryClientProvider client={new QueryClient()}>
        <NodeForm node={sampleNode({})} inboundId={3} />
      </QueryClientProvider>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(writes(calls)).toHaveLength(1));
    expect(writes(calls)[0]).toMatchObject({
      method: 'PATCH',
      path: '/nodes/1',
      body: { maxUsers: 150, inboundId: 3 },
    });
  });

  it('shows each field error from a 400 next to its field', async () => {
    fakeApi({
      'POST /nodes': () => ({
        status: 400,
        body: {
          statusCode: 400,
          code: 'VALIDATION_FAILED',
          message: ['maxUsers must not be greater than 1000000', 'panelUrl must be an http(s) URL'],
        },
      }),
    });
    renderForm();
    fillRequired();
    fireEvent.click(screen.getByRole('button', { name: 'Add node' }));
    const alerts = await screen.findAllByRole('alert');
    expect(alerts.map((alert) => alert.textContent)).toEqual([
      'Panel URL must be an http(s) URL',
      'Capacity must not be greater than 1000000',
    ]);
    expect(screen.getByLabelText('Max users')).toHaveAttribute('aria-invalid', 'true');
  });

  it('a 409 (duplicate name) is shown as a form error', async () => {
    fakeApi({
      'POST /nodes': () => ({ status: 409, body: { code: 'NODE_NAME_TAKEN', message: ['a node named fra-1 exists'] } }),
    });
    renderForm();
    fillRequired();
    fireEvent.click(screen.getByRole('button', { name: 'Add node' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('a node named fra-1 exists');
  });

  it('picks the group: a new node defaults to the first group, an edit sends the group chosen', async () => {
    const calls = fakeApi({
      'GET /groups': listGroups,
      'PATCH /nodes/1': ({ body }) => ({ status: 200, body: { ...sampleNode({}), ...(body as object) } }),
    });
    render(
      <QueryClientProvider client={new QueryClient()}>
        <NodeForm node={sampleNode({ groupId: 1 })} />
      </QueryClientProvider>,
    );
    expect(await screen.findByRole('option', { name: '🇩🇪 Germany' })).toBeInTheDocument();
    expect(screen.getByLabelText('Group')).toHaveValue('1');
    fill('Group', '4');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(writes(calls)).toHaveLength(1));
    expect(writes(calls)[0].body).toEqual({ groupId: 4 });
  });
});
