import {
  ActionIcon,
  Alert,
  Button,
  Checkbox,
  Group,
  Paper,
  Skeleton,
  Stack,
  Table,
  TextInput,
  Title,
} from '@mantine/core';
import { FormEvent, useState } from 'react';
import type { GroupView, NodeView } from '@fleet/contract';
import { LoadError } from '../../../components/ui/load-error';
import { ApiError } from '../../../lib/api-client';
import { serverName } from '@fleet/contract';
import { useCreateGroup, useDeleteGroup, useGroups, useUpdateGroup } from '../../../lib/queries/groups';
import { useCan } from '../../../lib/queries/me';
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
    <Paper component="form" onSubmit={submit} aria-label="Add a group" withBorder p="md" mt="md" maw={520}>
      <Stack gap="sm">
        <Title order={2} size="h3">
          Add a group
        </Title>
        <TextInput
          name="name"
          label="Name"
          required
          value={name}
          error={errors['name']}
          onChange={(event) => setName(event.currentTarget.value)}
        />
        <TextInput
          name="countryCode"
          label="Country code (two letters, for the flag)"
          value={countryCode}
          maxLength={2}
          error={errors['countryCode']}
          onChange={(event) => setCountryCode(event.currentTarget.value)}
        />
        <Checkbox
          label="New users get a server here"
          checked={defaultForNewUsers}
          onChange={(event) => setDefault(event.currentTarget.checked)}
        />
        {create.error && !Object.keys(errors).length && (
          <Alert color="red" role="alert">
            {create.error.message}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={create.isPending}>
            Add group
          </Button>
        </Group>
      </Stack>
    </Paper>
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
  const canWrite = useCan('nodes:write');
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
      {groups.isPending && <Skeleton h={120} aria-label="Loading" />}
      {groups.isError && (
        <LoadError title="Groups could not be loaded" error={groups.error} onRetry={() => void groups.refetch()} />
      )}
      {failure && (
        <Alert color="red" role="alert" mb="sm">
          {failure.message}
        </Alert>
      )}
      {groups.isSuccess && !list.length && <p>No groups yet: add one below. Every node needs a group.</p>}
      {groups.isSuccess && list.length > 0 && (
        <Table.ScrollContainer minWidth={560}>
          <Table aria-label="Groups" striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Group</Table.Th>
                <Table.Th>Country</Table.Th>
                <Table.Th>Nodes</Table.Th>
                <Table.Th>Load</Table.Th>
                <Table.Th>New users</Table.Th>
                <Table.Th>Order</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((group, index) => {
                const { users, seats } = loadOf(nodesOf(group));
                return (
                  <Table.Tr key={group.id}>
                    <Table.Td>{serverName(group)}</Table.Td>
                    <Table.Td>{group.countryCode ?? '—'}</Table.Td>
                    <Table.Td>{group.nodeCount}</Table.Td>
                    <Table.Td>{seats ? `${users} / ${seats} (${Math.round((users / seats) * 100)}%)` : '—'}</Table.Td>
                    <Table.Td>{group.defaultForNewUsers ? 'yes' : 'no'}</Table.Td>
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        <ActionIcon
                          variant="default"
                          aria-label={`Move ${group.name} up`}
                          disabled={index === 0 || update.isPending}
                          onClick={() => move(index, -1)}
                        >
                          ↑
                        </ActionIcon>
                        <ActionIcon
                          variant="default"
                          aria-label={`Move ${group.name} down`}
                          disabled={index === list.length - 1 || update.isPending}
                          onClick={() => move(index, 1)}
                        >
                          ↓
                        </ActionIcon>
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Button
                        size="xs"
                        variant="light"
                        color="red"
                        disabled={group.nodeCount > 0 || remove.isPending}
                        title={group.nodeCount > 0 ? 'move or delete its nodes first' : undefined}
                        onClick={() => remove.mutate(group.id)}
                      >
                        Delete {group.name}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {canWrite && <GroupForm />}
    </section>
  );
}
