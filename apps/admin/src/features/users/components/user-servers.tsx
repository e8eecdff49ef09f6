import { serverName, type UserView } from '@fleet/contract';
import { FormEvent, useState } from 'react';
import { ApiError } from '../../../lib/api-client';
import { useGroups } from '../../../lib/queries/groups';
import { updateAccess, useUserAction } from '../api/user';

/**
 * The user's servers, one per group of the plan (and the seats waiting for capacity), and the plan's groups to
 * change: a group ticked gets a server, one unticked gives its server up.
 */
export function UserServers({ user }: { user: UserView }) {
  const groups = useGroups().data ?? [];
  const [chosen, setChosen] = useState(new Set(user.access.groups));
  const save = useUserAction(updateAccess);
  const errors = save.error instanceof ApiError ? Object.values(save.error.fieldErrors()) : [];
  const toggle = (id: number) =>
    setChosen((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ id: user.id, input: { groups: groups.filter((g) => chosen.has(g.id)).map((g) => g.id) } });
  };
  return (
    <>
      <h2>Servers</h2>
      <div className="table-wrap">
        <table aria-label="Servers">
          <thead>
            <tr>
              <th>Group</th>
              <th>Node</th>
              <th>Since</th>
            </tr>
          </thead>
          <tbody>
            {user.servers.map((server) => (
              <tr key={server.group.id}>
                <td>{serverName(server.group)}</td>
                <td>{server.node.name}</td>
                <td>{new Date(server.assignedAt).toLocaleString()}</td>
              </tr>
            ))}
            {user.waiting.map((seat) => (
              <tr key={seat.group.id}>
                <td>{serverName(seat.group)}</td>
                <td>waiting for capacity{seat.lastError ? ` (${seat.lastError})` : ''}</td>
                <td>{new Date(seat.since).toLocaleString()}</td>
              </tr>
            ))}
            {!user.servers.length && !user.waiting.length && (
              <tr>
                <td colSpan={3}>No server.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <form onSubmit={submit} aria-label="Plan groups">
        <fieldset>
          <legend>Groups of the plan</legend>
          {groups.map((group) => (
            <label key={group.id}>
              <input type="checkbox" checked={chosen.has(group.id)} onChange={() => toggle(group.id)} />{' '}
              {serverName(group)}
            </label>
          ))}
        </fieldset>
        {save.error && <p role="alert">{errors.length ? errors.join('; ') : save.error.message}</p>}
        <button type="submit" disabled={save.isPending || !chosen.size}>
          Save groups
        </button>
      </form>
    </>
  );
}
