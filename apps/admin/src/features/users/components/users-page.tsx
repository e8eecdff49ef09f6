import {
  Anchor,
  Button,
  Checkbox,
  Group,
  Progress,
  Select,
  Table,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useState } from 'react';
import { ACCESS_STATUSES, type AccessStatus, type UserSort, type UserView } from '@fleet/contract';
import { Link, useSearchParams } from 'react-router';
import { Badge } from '../../../components/ui/badge';
import { Pager } from '../../../components/pager';
import { useCan } from '../../../lib/queries/me';
import { useNodes } from '../../../lib/queries/nodes';
import { formatBytes } from '../../../lib/queries/usage';
import { downloadUsersCsv, useUsers } from '../api/users';
import { BulkBar } from './bulk-bar';
import { CreateUserButton } from './create-user';
import { accessTone } from './access-tone';

/**
 * Users: search by telegram id, id or name, filter by node and status; select users (this page's) for a bulk action;
 * export the filtered list as CSV.
 */
export function UsersPage({ nodeId: fixedNode }: { nodeId?: number }) {
  const [search, setSearch] = useState('');
  const [nodeId, setNodeId] = useState<number | undefined>(fixedNode);
  // A link may name the status (the dashboard's access cards): ?status=expired.
  const [params] = useSearchParams();
  const [status, setStatus] = useState<AccessStatus | ''>(() => accessStatus(params.get('status') ?? ''));
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [sort, setSort] = useState<UserSort>('id');
  const filter = { search: search.trim() || undefined, nodeId, status: status || undefined };
  const users = useUsers({ ...filter, sort, page });
  const sortable = (label: string, key: 'id' | 'expiresAt' | 'name') => (
    <SortHeader label={label} sort={sort} by={key} onSort={(next) => refilter(() => setSort(next))} />
  );
  const nodes = useNodes().data ?? [];
  // A new user is made as the bot makes one.
  const canCreate = useCan('keys:write');
  const items = users.data?.items ?? [];
  const refilter = (change: () => void) => {
    change();
    setPage(1);
    setSelected(new Set());
  };
  const toggle = (id: number) =>
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const allShown = items.length > 0 && items.every((user) => selected.has(user.id));
  return (
    <section>
      {!fixedNode && (
        <Group justify="space-between" mb="sm">
          <Title order={1}>Users</Title>
          <Group gap="xs">
            <Button variant="default" onClick={() => void downloadUsersCsv(filter)}>
              Export CSV
            </Button>
            {canCreate && <CreateUserButton />}
          </Group>
        </Group>
      )}
      {!fixedNode && (
        <Group gap="sm" align="flex-end" mb="sm" role="search">
          <TextInput
            label="Search"
            placeholder="telegram id (first digits), id or name"
            type="search"
            value={search}
            onChange={(event) => {
              const value = event.currentTarget.value;
              refilter(() => setSearch(value));
            }}
          />
          <Select
            label="Node"
            placeholder="all nodes"
            clearable
            data={nodes.map((node) => ({ value: String(node.id), label: node.name }))}
            value={nodeId === undefined ? null : String(nodeId)}
            onChange={(value) => refilter(() => setNodeId(value ? Number(value) : undefined))}
          />
          <Select
            label="Access"
            placeholder="any status"
            clearable
            data={[...ACCESS_STATUSES]}
            value={status || null}
            onChange={(value) => refilter(() => setStatus(accessStatus(value ?? '')))}
          />
        </Group>
      )}
      {selected.size > 0 && <BulkBar ids={[...selected]} nodes={nodes} onDone={() => setSelected(new Set())} />}
      <Table.ScrollContainer minWidth={0}>
        <Table striped highlightOnHover verticalSpacing="xs">
          <Table.Caption>{users.data ? `${users.data.total} users` : 'Users'}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={36}>
                <Checkbox
                  aria-label="Select every user on this page"
                  checked={allShown}
                  indeterminate={!allShown && items.some((user) => selected.has(user.id))}
                  onChange={() => setSelected(allShown ? new Set() : new Set(items.map((user) => user.id)))}
                />
              </Table.Th>
              <Table.Th aria-sort={ariaSort(sort, 'name')}>{sortable('Name', 'name')}</Table.Th>
              <Table.Th>Access</Table.Th>
              <Table.Th>Usage</Table.Th>
              <Table.Th visibleFrom="sm" aria-sort={ariaSort(sort, 'expiresAt')}>
                {sortable('Expires', 'expiresAt')}
              </Table.Th>
              <Table.Th visibleFrom="md">Servers</Table.Th>
              <Table.Th visibleFrom="md">Telegram id</Table.Th>
              <Table.Th visibleFrom="lg" aria-sort={ariaSort(sort, 'id')}>
                {sortable('Created', 'id')}
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((user) => (
              <UserRow key={user.id} user={user} selected={selected.has(user.id)} onToggle={() => toggle(user.id)} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Pager
        page={page}
        total={users.data?.total ?? 0}
        limit={users.data?.limit ?? 25}
        onPage={(next) => (setPage(next), setSelected(new Set()))}
      />
    </section>
  );
}

function UserRow({ user, selected, onToggle }: { user: UserView; selected: boolean; onToggle: () => void }) {
  const { access } = user;
  const share = access.trafficLimitBytes ? Math.min(100, (access.usedBytes / access.trafficLimitBytes) * 100) : 0;
  return (
    <Table.Tr bg={selected ? 'var(--mantine-primary-color-light)' : undefined}>
      <Table.Td>
        <Checkbox aria-label={`Select user ${user.id}`} checked={selected} onChange={onToggle} />
      </Table.Td>
      <Table.Td>
        <Anchor component={Link} to={`/users/${user.id}`}>
          {user.username ?? `user ${user.id}`}
        </Anchor>
      </Table.Td>
      <Table.Td>
        <Badge tone={accessTone(access.status)}>{access.status}</Badge>
      </Table.Td>
      <Table.Td miw={120}>
        <Text size="sm">
          {formatBytes(access.usedBytes)}
          {access.trafficLimitBytes ? ` / ${formatBytes(access.trafficLimitBytes)}` : ''}
        </Text>
        {access.trafficLimitBytes > 0 && (
          <Progress value={share} size="xs" color={share >= 90 ? 'red' : undefined} aria-hidden />
        )}
      </Table.Td>
      <Table.Td visibleFrom="sm">
        {access.expiresAt ? new Date(access.expiresAt).toLocaleDateString() : 'never'}
      </Table.Td>
      <Table.Td visibleFrom="md">
        {user.servers.map((server) => server.node.name).join(', ') || 'none'}
        {user.waiting.length > 0 && <div className="muted">{user.waiting.length} waiting for capacity</div>}
      </Table.Td>
      <Table.Td visibleFrom="md">{user.telegramId ?? '—'}</Table.Td>
      <Table.Td visibleFrom="lg">{new Date(user.createdAt).toLocaleDateString()}</Table.Td>
    </Table.Tr>
  );
}

/** The status an option names ('' for any). */
function accessStatus(value: string): AccessStatus | '' {
  return ACCESS_STATUSES.find((status) => status === value) ?? '';
}

type SortKey = 'id' | 'expiresAt' | 'name';

/** How the column is sorted now, for assistive technology. */
function ariaSort(sort: UserSort, by: SortKey): 'ascending' | 'descending' | undefined {
  return sort === by ? 'ascending' : sort === `-${by}` ? 'descending' : undefined;
}

/** A column title that sorts by it, and reverses on the second click. */
function SortHeader(props: { label: string; sort: UserSort; by: SortKey; onSort: (sort: UserSort) => void }) {
  const { label, sort, by, onSort } = props;
  const mark = sort === by ? ' ▲' : sort === `-${by}` ? ' ▼' : '';
  return (
    <UnstyledButton fw={700} fz="sm" onClick={() => onSort(sort === by ? (`-${by}` as UserSort) : by)}>
      {label}
      {mark}
    </UnstyledButton>
  );
}
