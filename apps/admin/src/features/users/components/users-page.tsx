import { Group, Title } from '@mantine/core';
import { useState } from 'react';
import { ACCESS_STATUSES, type AccessStatus, type NodeView } from '@fleet/contract';
import { Link } from 'react-router';
import { Pager } from '../../../components/pager';
import { useNodes } from '../../../lib/queries/nodes';
import { useMigrateUser, useUsers } from '../api/users';
import { CreateUserButton } from './create-user';

/** Users: search by telegram id or name, filter by node, move one user to a chosen node. */
export function UsersPage({ nodeId: fixedNode }: { nodeId?: number }) {
  const [search, setSearch] = useState('');
  const [nodeId, setNodeId] = useState<number | undefined>(fixedNode);
  const [status, setStatus] = useState<AccessStatus | ''>('');
  const [page, setPage] = useState(1);
  const users = useUsers({ search: search.trim() || undefined, nodeId, status: status || undefined, page });
  const nodes = useNodes().data ?? [];
  return (
    <section>
      {!fixedNode && (
        <Group justify="space-between" mb="sm">
          <Title order={1}>Users</Title>
          <CreateUserButton />
        </Group>
      )}
      {!fixedNode && (
        <div className="filters">
          <label>
            Search (telegram id or name){' '}
            <input type="search" value={search} onChange={(e) => (setSearch(e.target.value), setPage(1))} />
          </label>
          <label>
            Node{' '}
            <select
              value={nodeId ?? ''}
              onChange={(e) => (setNodeId(e.target.value ? Number(e.target.value) : undefined), setPage(1))}
            >
              <option value="">all nodes</option>
              {nodes.map((node) => (
                <option key={node.id} value={node.id}>
                  {node.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Access{' '}
            <select value={status} onChange={(e) => (setStatus(accessStatus(e.target.value)), setPage(1))}>
              <option value="">any status</option>
              {ACCESS_STATUSES.map((option) => (
                <option key={option}>{option}</option>
              ))}
            </select>
          </label>
        </div>
      )}
      <div className="table-wrap">
        <table>
          <caption>{users.data ? `${users.data.total} users` : 'Users'}</caption>
          <thead>
            <tr>
              <th scope="col">Telegram id</th>
              <th scope="col">Name</th>
              <th scope="col">Access</th>
              <th scope="col">Servers</th>
              <th scope="col">Since</th>
              <th scope="col">Move to</th>
            </tr>
          </thead>
          <tbody>
            {(users.data?.items ?? []).map((user) => (
              <tr key={user.id}>
                <td>{user.telegramId ?? '—'}</td>
                <td>
                  <Link to={`/users/${user.id}`}>{user.username ?? `user ${user.id}`}</Link>
                </td>
                <td>
                  {user.access.status}
                  {user.access.expiresAt && (
                    <div className="muted">until {new Date(user.access.expiresAt).toLocaleDateString()}</div>
                  )}
                </td>
                <td>
                  {user.servers.map((server) => server.node.name).join(', ') || 'none'}
                  {user.waiting.length > 0 && <div className="muted">{user.waiting.length} waiting for capacity</div>}
                </td>
                <td>{user.assignedAt ? new Date(user.assignedAt).toLocaleString() : '—'}</td>
                <td>
                  <MigrateControl
                    userId={user.id}
                    currentNodeIds={user.servers.map((server) => server.node.id)}
                    nodes={nodes}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager page={page} total={users.data?.total ?? 0} limit={users.data?.limit ?? 25} onPage={setPage} />
    </section>
  );
}

/** Moves one of the user's servers: the one in the chosen node's group. */
function MigrateControl({
  userId,
  currentNodeIds,
  nodes,
}: {
  userId: number;
  currentNodeIds: number[];
  nodes: NodeView[];
}) {
  const [target, setTarget] = useState('');
  const migrate = useMigrateUser();
  return (
    <form
      className="inline"
      onSubmit={(event) => {
        event.preventDefault();
        if (target) migrate.mutate({ userId, nodeId: Number(target) });
      }}
    >
      <label>
        <span className="visually-hidden">Target node for user {userId}</span>
        <select value={target} onChange={(e) => setTarget(e.target.value)}>
          <option value="">choose…</option>
          {nodes
            .filter((node) => !currentNodeIds.includes(node.id))
            .map((node) => (
              <option key={node.id} value={node.id}>
                {node.name}
              </option>
            ))}
        </select>
      </label>
      <button type="submit" disabled={!target || migrate.isPending}>
        Move
      </button>
      {migrate.error && <span role="alert">{migrate.error.message}</span>}
    </form>
  );
}

/** The status an option names ('' for any). */
function accessStatus(value: string): AccessStatus | '' {
  return ACCESS_STATUSES.find((status) => status === value) ?? '';
}
