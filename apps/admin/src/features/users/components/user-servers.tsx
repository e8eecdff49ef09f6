import { serverName, type UserView } from '@fleet/contract';
import { Alert, Button, Checkbox, Group, Stack, Table } from '@mantine/core';
import { FormEvent, useState } from 'react';
import { ApiError } from '../../../lib/api-client';
import { useGroups } from '../../../lib/queries/groups';
import { updateAccess, useUserAction } from '../api/user';
import { useCan } from '../../../lib/queries/me';

/** The servers the user has, one per group of the plan, then the seats waiting for capacity. */
function ServersTable({ user }: { user: UserView }) {
  return (
    <Table.ScrollContainer minWidth={0}>
      <Table aria-label="Servers">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Group</Table.Th>
            <Table.Th>Node</Table.Th>
            <Table.Th>Since</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {user.servers.map((server) => (
            <Table.Tr key={server.group.id}>
              <Table.Td>{serverName(server.group)}</Table.Td>
              <Table.Td>{server.node.name}</Table.Td>
              <Table.Td>{new Date(server.assignedAt).toLocaleString()}</Table.Td>
            </Table.Tr>
          ))}
          {user.waiting.map((seat) => (
            <Table.Tr key={seat.group.id}>
              <Table.Td>{serverName(seat.group)}</Table.Td>
              <Table.Td>waiting for capacity{seat.lastError ? ` (${seat.lastError})` : ''}</Table.Td>
              <Table.Td>{new Date(seat.since).toLocaleString()}</Table.Td>
            </Table.Tr>
          ))}
          {!user.servers.length && !user.waiting.length && (
            <Table.Tr>
              <Table.Td colSpan={3}>No server.</Table.Td>
            </Table.Tr>
          )}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The plan's groups to tick: a group ticked gets a server, one unticked gives its server up. */
function PlanGroupsForm({ user }: { user: UserView }) {
  const groups = useGroups().data ?? [];
  const [chosen, setChosen] = useState(() => user.access.groups.map(String));
  const save = useUserAction(updateAccess);
  const errors = save.error instanceof ApiError ? Object.values(save.error.fieldErrors()) : [];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const ids = groups.filter((group) => chosen.includes(String(group.id))).map((group) => group.id);
    save.mutate({ id: user.id, input: { groups: ids } });
  };
  return (
    <form onSubmit={submit} aria-label="Plan groups">
      <Stack gap="sm" mt="md">
        <Checkbox.Group label="Groups of the plan" value={chosen} onChange={setChosen}>
          <Group gap="md" mt="xs">
            {groups.map((group) => (
              <Checkbox key={group.id} value={String(group.id)} label={serverName(group)} />
            ))}
          </Group>
        </Checkbox.Group>
        {save.error && (
          <Alert color="red" role="alert">
            {errors.length ? errors.join('; ') : save.error.message}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={save.isPending} disabled={!chosen.length}>
            Save groups
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The user's servers and, for whoever may change a user's access, the plan's groups to change. */
export function UserServers({ user }: { user: UserView }) {
  const canChange = useCan('users:access');
  return (
    <>
      <h2>Servers</h2>
      <ServersTable user={user} />
      {canChange && <PlanGroupsForm user={user} />}
    </>
  );
}
