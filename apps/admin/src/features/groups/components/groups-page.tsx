import { FormEvent, useState } from 'react';
import type { GroupView, NodeView } from '@fleet/contract';
import { Field } from '../../../components/ui/field';
import { ApiError } from '../../../lib/api-client';
import { serverName } from '@fleet/contract';
import { useCreateGroup, useDeleteGroup, useGroups, useUpdateGroup } from '../../../lib/queries/groups';
import { useNodes } from '../../../lib/queries/nodes';

/** Users and seats of a group's nodes. */
function loadOf(nodes: NodeView[]): { users: number; seats: number } {
  return nodes.reduce((sum, node) => ({ users: sum.users + node.currentUsers, seats: sum.seats + node.maxUsers }), {
    users: 0,
    seats: 0,
  });
}

/** Creates a group; the API's validation errors appear next to the fields they name. */
function GroupForm() {
  const create = useCreateGroup();
  const [name, setName] = useState('');
  const [countryCode, setCountryCode] = useState('');
  const [defaultForNewUsers, setDefault] = useState(false);
  const errors = create.error instanceof ApiError ? create.error.fieldErrors() : {};
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { name, ...(countryCode ? { countryCode } : {}), ...(defaultForNewUsers ? { defaultForNewUsers } : {}) },
      {
        onSuccess: () => {
          setName('');
          setCountryCode('');
          setDefault(false);
        },
      },
    );
  };
  return (
    <form onSubmit={submit} aria-label="Add a group" className="node-form">
      <h2>Add a group</h2>
      <Field
        name="name"
        label="Name"
        required
        value={name}
        error={errors['name']}
        onChange={(event) => setName(event.target.value)}
      />
      <Field
        name="countryCode"
        label="Country code (two letters, for the flag)"
        value={countryCode}
        maxLength={2}
        error={errors['countryCode']}
        onChange={(event) => setCountryCode(event.target.value)}
      />
      <div className="field">
        <label>
          <input type="checkbox" checked={defaultForNewUsers} onChange={(event) => setDefault(event.target.checked)} />
          New users get a server here
        </label>
      </div>
      {create.error && !Object.keys(errors).length && (
        <p className="form-error" role="alert">
          {create.error.message}
        </p>
      )}
      <button type="submit" disabled={create.isPending}>
        Add group
      </button>
    </form>
  );
}

/**
 * Node groups in order, each with its nodes' load; move a group up or down, delete an empty one. A group's order is
 * the order users see their servers in.
 */
export function GroupsPage() {
  const groups = useGroups();
  const nodes = useNodes();
  const update = useUpdateGroup();
  const remove = useDeleteGroup();
  const list = groups.data ?? [];
  const nodesOf = (group: GroupView) => (nodes.data ?? []).filter((node) => node.groupId === group.id);
  /** Moves the group one place; every group whose position changes gets its new sort order. */
  const move = (index: number, by: -1 | 1) => {
    const order = list.slice();
    [order[index], order[index + by]] = [order[index + by], order[index]];
    order.forEach((group, position) => {
      const sortOrder = position * 10;
      if (group.sortOrder !== sortOrder) update.mutate({ id: group.id, sortOrder });
    });
  };
  const failure = update.error ?? remove.error;
  return (
    <section>
      <h1>Groups</h1>
      {groups.isPending && <p>Loading…</p>}
      {groups.isError && <p role="alert">Groups could not be loaded: {groups.error.message}</p>}
      {failure && <p role="alert">{failure.message}</p>}
      {groups.isSuccess && !list.length && <p>No groups yet: add one below. Every node needs a group.</p>}
      {groups.isSuccess && list.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Groups">
            <thead>
              <tr>
                <th>Group</th>
                <th>Country</th>
                <th>Nodes</th>
                <th>Load</th>
                <th>New users</th>
                <th>Order</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.map((group, index) => {
                const { users, seats } = loadOf(nodesOf(group));
                return (
                  <tr key={group.id}>
                    <td>{serverName(group)}</td>
                    <td>{group.countryCode ?? '—'}</td>
                    <td>{group.nodeCount}</td>
                    <td>{seats ? `${users} / ${seats} (${Math.round((users / seats) * 100)}%)` : '—'}</td>
                    <td>{group.defaultForNewUsers ? 'yes' : 'no'}</td>
                    <td>
                      <button
                        type="button"
                        aria-label={`Move ${group.name} up`}
                        disabled={index === 0 || update.isPending}
                        onClick={() => move(index, -1)}
                      >
                        ↑
                      </button>
                      <button
                        type="button"
                        aria-label={`Move ${group.name} down`}
                        disabled={index === list.length - 1 || update.isPending}
                        onClick={() => move(index, 1)}
                      >
                        ↓
                      </button>
                    </td>
                    <td>
                      <button
                        type="button"
                        disabled={group.nodeCount > 0 || remove.isPending}
                        title={group.nodeCount > 0 ? 'move or delete its nodes first' : undefined}
                        onClick={() => remove.mutate(group.id)}
                      >
                        Delete {group.name}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <GroupForm />
    </section>
  );
}
