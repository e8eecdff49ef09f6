import { FormEvent, useState } from 'react';
import { Field } from '../../../components/ui/field';
import { ApiError } from '../../../lib/api-client';
import { NodeInput, useCreateNode } from '../../../lib/queries/nodes';

const NUMBER_FIELDS = new Set(['inboundId', 'maxUsers', 'priority', 'weight']);

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

/** Creates a node; the API's validation errors appear next to the fields they name. */
export function NodeForm({ onCreated }: { onCreated?: (id: number) => void }) {
  const [values, setValues] = useState<Record<string, string>>({});
  const create = useCreateNode();
  const named = create.error instanceof ApiError ? create.error.fieldErrors() : {};
  const fieldErrors = Object.fromEntries(FIELDS.filter((f) => named[f.name]).map((f) => [f.name, named[f.name]]));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(values)) {
      if (value === '') continue;
      input[name] = NUMBER_FIELDS.has(name) ? Number(value) : value;
    }
    create.mutate(input as NodeInput, {
      onSuccess: (node) => {
        setValues({});
        onCreated?.(node.id);
      },
    });
  };
  return (
    <form onSubmit={submit} aria-label="Add a node" className="node-form">
      <h2>Add a node</h2>
      {FIELDS.map((field) => (
        <Field
          key={field.name}
          name={field.name}
          label={field.label}
          type={field.type ?? 'text'}
          step={field.name === 'weight' ? 'any' : undefined}
          required={field.required}
          value={values[field.name] ?? ''}
          error={fieldErrors[field.name]}
          onChange={(event) => setValues({ ...values, [field.name]: event.target.value })}
        />
      ))}
      {create.error && !Object.keys(fieldErrors).length && (
        <p className="form-error" role="alert">
          {create.error.message}
        </p>
      )}
      <button type="submit" disabled={create.isPending}>
        Add node
      </button>
    </form>
  );
}
