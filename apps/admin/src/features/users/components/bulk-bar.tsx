import { Button, Group, NumberInput, Paper, Select, Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import type { BulkResult, NodeView } from '@fleet/contract';
import { useState } from 'react';
import { humanMessage } from '../../../lib/field-labels';
import { useCan } from '../../../lib/queries/me';
import { BulkAction, useBulkAction } from '../api/users';

/** What a bulk action does, said before it runs. */
function impact(request: BulkAction, count: number, nodes: NodeView[]): string {
  const users = `${count} user${count === 1 ? '' : 's'}`;
  switch (request.action) {
    case 'extend':
      return `Extend ${users} by ${request.days} day(s)?`;
    case 'enable':
      return `Enable ${users}? Their keys work again on every node.`;
    case 'disable':
      return `Disable ${users}? Their keys stop working on every node until enabled.`;
    case 'migrate':
      return `Move ${users} to ${nodes.find((node) => node.id === request.nodeId)?.name ?? 'the node'}? Each moves its server in that node's group.`;
    case 'delete':
      return `Delete ${users}? Their keys stop working and their subscription URLs answer 404. This cannot be undone.`;
  }
}

/** The outcome, with the first refusals named. */
function report(result: BulkResult) {
  const refused = result.results.filter((item) => !item.ok);
  notifications.show({
    color: refused.length ? (result.done ? 'yellow' : 'red') : 'teal',
    title: `${result.done} done, ${result.failed} refused`,
    message: refused.length
      ? refused
          .slice(0, 3)
          .map((item) => `user ${item.id}: ${humanMessage(item.message ?? item.code ?? 'refused')}`)
          .join('; ') + (refused.length > 3 ? '; …' : '')
      : 'Every selected user.',
    autoClose: refused.length ? false : 4000,
  });
}

/** The selected users' actions the caller may take, each confirmed with its impact first. */
export function BulkBar({ ids, nodes, onDone }: { ids: number[]; nodes: NodeView[]; onDone: () => void }) {
  const canChangeAccess = useCan('users:access');
  const canMoveAndDelete = useCan('users:write');
  const [days, setDays] = useState<string | number>(30);
  const bulk = useBulkAction();
  const confirm = (request: BulkAction) =>
    modals.openConfirmModal({
      title: 'Bulk action',
      children: <Text size="sm">{impact(request, ids.length, nodes)}</Text>,
      labels: { confirm: 'Confirm', cancel: 'Cancel' },
      confirmProps: { color: request.action === 'delete' || request.action === 'disable' ? 'red' : undefined },
      onConfirm: () =>
        bulk.mutate(
          { ids, request },
          {
            onSuccess: (result) => {
              report(result);
              onDone();
            },
            onError: (error) => notifications.show({ color: 'red', title: 'Not done', message: error.message }),
          },
        ),
    });
  return (
    <Paper withBorder p="xs" mb="sm" role="toolbar" aria-label="Selected users">
      <Group gap="xs" wrap="wrap">
        <Text size="sm" fw={500}>
          {ids.length} selected
        </Text>
        {!canChangeAccess && !canMoveAndDelete && (
          <Text size="sm" c="dimmed">
            Your role may not change users.
          </Text>
        )}
        {canChangeAccess && (
          <>
            <Group gap={4} wrap="nowrap">
              <NumberInput value={days} onChange={setDays} min={1} max={3650} w={90} aria-label="Days" suffix=" d" />
              <Button size="xs" variant="default" onClick={() => confirm({ action: 'extend', days: Number(days) })}>
                Extend
              </Button>
            </Group>
            <Button size="xs" variant="default" onClick={() => confirm({ action: 'enable' })}>
              Enable
            </Button>
            <Button size="xs" variant="default" onClick={() => confirm({ action: 'disable' })}>
              Disable
            </Button>
          </>
        )}
        {canMoveAndDelete && <MoveAndDelete nodes={nodes} confirm={confirm} />}
      </Group>
    </Paper>
  );
}

/** Moving the selected users to one node, or deleting them. */
function MoveAndDelete({ nodes, confirm }: { nodes: NodeView[]; confirm: (request: BulkAction) => void }) {
  const [target, setTarget] = useState<string | null>(null);
  return (
    <>
      <Group gap={4} wrap="nowrap">
        <Select
          size="xs"
          placeholder="node…"
          aria-label="Move to node"
          data={nodes.map((node) => ({ value: String(node.id), label: node.name }))}
          value={target}
          onChange={setTarget}
          w={140}
        />
        <Button
          size="xs"
          variant="default"
          disabled={!target}
          onClick={() => confirm({ action: 'migrate', nodeId: Number(target) })}
        >
          Move
        </Button>
      </Group>
      <Button size="xs" color="red" variant="light" onClick={() => confirm({ action: 'delete' })}>
        Delete…
      </Button>
    </>
  );
}
