import { FormEvent, useState } from 'react';
import { Field } from '../../../components/ui/field';
import { ApiError } from '../../../lib/api-client';
import { serverName, type NodeView } from '@fleet/contract';
import { useGroups } from '../../../lib/queries/groups';
import { NodeInput, useCreateNode, useUpdateNode } from '../../../lib/queries/nodes';

const NUMBER_FIELDS = new Set(['groupId', 'inboundId', 'maxUsers', 'priority', 'weight']);

const FIELDS: Array<{ name: string; label: string; type?: string; required?: boolean }> = [
  { name: 'name', label: 'Name', required: true },
  { name: 'panelUrl', label: 'Panel URL (with its base path)', type: 'url', required: true },
  { name: 'panelUsername', label: 'Panel username', required: true },
  { name: 'panelPassword', label: 'Panel password', type: 'password', required: true },
  { name: 'inboundId', label: 'Inbound id', type: 'number' },
  { name: 'publicHost', label: 'Public host for keys' },
  { name: 'location', label: 'Location' },
  { name: 'maxUsers', label: 'Max users', type: 'number' },
  { name: 'priority', label: 'Priority (0 = standby)', type: 'number' },
  { name: 'weight', label: 'Weight', type: 'number' },
];

const initialValues = (node?: NodeView): Record<string, string> =>
  node
    ? Object.fromEntries(
        [...FIELDS.filter((field) => field.name !== 'panelPassword').map((field) => field.name), 'groupId'].map(
          (name) => [name, String((node as unknown as Record<string, unknown>)[name] ?? '')],
        ),
      )
    : {};

/**
 * Creates a node, or edits `node` (only changed fields are sent; the password only when typed). The API's
 * validation errors appear next to the fields they name. `inboundId` may be set from outside (connection test).
 */
export function NodeForm({
  node,
  onSaved,
  inboundId,
}: {
  node?: NodeView;
  onSaved?: (id: number) => void;
  inboundId?: number;
}) {
  const [values, setValues] = useState<Record<string, string>>(() => initialValues(node));
  const [chosenInbound, setChosenInbound] = useState(inboundId);
  if (inboundId !== chosenInbound) {
    setChosenInbound(inboundId);
    if (inboundId !== undefined) setValues((current) => ({ ...current, inboundId: String(inboundId) }));
  }
  const groups = useGroups();
  const createNode = useCreateNode();
  const updateNode = useUpdateNode(node?.id ?? 0);
  const create = node ? updateNode : createNode;
  const named = create.error instanceof ApiError ? create.error.fieldErrors() : {};
  const fieldErrors = Object.fromEntries(FIELDS.filter((f) => named[f.name]).map((f) => [f.name, named[f.name]]));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input: Record<string, unknown> = {};
    const before = initialValues(node);
    for (const [name, value] of Object.entries(values)) {
      if (value === '' || (node && before[name] === value)) continue;
      input[name] = NUMBER_FIELDS.has(name) ? Number(value) : value;
    }
    create.mutate(input as NodeInput, {
      onSuccess: (saved) => {
        if (!node) setValues({});
        onSaved?.(saved.id);
      },
    });
  };
  return (
    <form onSubmit={submit} aria-label={node ? 'Edit the node' : 'Add a node'} className="node-form">
      <h2>{node ? 'Edit' : 'Add a node'}</h2>
      {FIELDS.map((field) => (
        <Field
          key={field.name}
          name={field.name}
          label={field.label}
          type={field.type ?? 'text'}
          step={field.name === 'weight' ? 'any' : undefined}
          required={field.required && !(node && field.name === 'panelPassword')}
          placeholder={node && field.name === 'panelPassword' ? 'unchanged' : undefined}
          value={values[field.name] ?? ''}
          error={fieldErrors[field.name]}
          onChange={(event) => setValues({ ...values, [field.name]: event.target.value })}
        />
      ))}
      <div className="field">
        <label htmlFor="field-groupId">Group</label>
        <select
          id="field-groupId"
          name="groupId"
          value={values['groupId'] ?? ''}
          onChange={(event) => setValues({ ...values, groupId: event.target.value })}
        >
          {!node && <option value="">the first group</option>}
          {(groups.data ?? []).map((group) => (
            <option key={group.id} value={String(group.id)}>
              {serverName(group)}
            </option>
          ))}
        </select>
        {named['groupId'] && (
          <p className="field-error" role="alert">
            {named['groupId']}
          </p>
        )}
      </div>
      {create.error && !Object.keys(fieldErrors).length && !named['groupId'] && (
        <p className="form-error" role="alert">
          {create.error.message}
        </p>
      )}
      <button type="submit" disabled={create.isPending}>
        {node ? 'Save' : 'Add node'}
      </button>
      {node && create.isSuccess && <p role="status">Saved.</p>}
    </form>
  );
}
