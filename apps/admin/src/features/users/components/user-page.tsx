import type { UserView } from '@fleet/contract';
import { Alert, Button, Group, NumberInput, Skeleton, Stack, Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { NotFound } from '../../../app/shell/page-states';
import { Badge } from '../../../components/ui/badge';
import { LoadError } from '../../../components/ui/load-error';
import { accessTone } from './access-tone';
import { UsageChart } from '../../../components/usage-chart';
import { ApiError, call, fleet } from '../../../lib/api-client';
import { useCan } from '../../../lib/queries/me';
import { useNodes } from '../../../lib/queries/nodes';
import { formatBytes, useUserUsage } from '../../../lib/queries/usage';
import { UserDevices } from './user-devices';
import { UserHistory } from './user-history';
import { UserServers } from './user-servers';
import { UserPlanForm } from './user-plan-form';
import { UserSupport } from './user-support';
import { deleteUser, extendAccess, resetTraffic, rotateKey, updateAccess, useUser, useUserAction } from '../api/user';

/** One user: how to connect (support), access status and plan (editable), and the actions on it. */
export function UserPage({ id }: { id: number }) {
  const query = useUser(id);
  if (query.error instanceof ApiError && query.error.status === 404) return <NotFound what="user" />;
  if (query.error) {
    return <LoadError title="The user could not be loaded" error={query.error} onRetry={() => void query.refetch()} />;
  }
  const user = query.data;
  if (!user) {
    return (
      <Stack aria-busy="true" aria-label="Loading">
        <Skeleton h={36} w="40%" />
        <Skeleton h={24} />
        <Skeleton h={240} />
      </Stack>
    );
  }
  return <UserDetails key={`${user.id}:${JSON.stringify(user.access)}`} user={user} />;
}

const done = (title: string, message: string) => notifications.show({ color: 'teal', title, message });

function UserDetails({ user }: { user: UserView }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [days, setDays] = useState<string | number>(30);
  const canChangeAccess = useCan('users:access');
  const canDelete = useCan('users:write');
  const canSeeKeys = useCan('users:secrets');
  const toggle = useUserAction(updateAccess);
  const extend = useUserAction(extendAccess);
  const reset = useUserAction((id: number) => resetTraffic(id));
  const rotate = useUserAction((id: number) => rotateKey(id));
  const remove = useUserAction((id: number) => deleteUser(id));
  const failure = [toggle, extend, reset, rotate, remove].find((action) => action.error)?.error;
  const name = user.username ?? `User ${user.id}`;
  const rotated = async () => {
    // The old links stop working: support hands out the new subscription URL, shown here at once.
    const keys = await queryClient.fetchQuery({
      queryKey: ['users', user.id, 'keys'],
      queryFn: () => call(fleet.GET('/api/v1/users/{id}/keys', { params: { path: { id: user.id } } })),
    });
    done('Key rotated', `New subscription URL: ${keys.subscriptionUrl}`);
  };
  const confirmDelete = () =>
    modals.openConfirmModal({
      title: `Delete ${name}?`,
      children: (
        <Text size="sm">
          Their key stops working on every node ({user.servers.length} server(s)) and their subscription URL answers
          404. This cannot be undone.
        </Text>
      ),
      labels: { confirm: 'Delete', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () =>
        remove.mutate(
          { id: user.id, input: undefined },
          {
            onSuccess: () => {
              queryClient.removeQueries({ queryKey: ['users', user.id] });
              done('User deleted', name);
              void navigate('/users');
            },
          },
        ),
    });
  const { access } = user;
  return (
    <section>
      <h1>{name}</h1>
      <p>
        <Badge tone={accessTone(access.status)}>{access.status}</Badge> telegram id {user.telegramId ?? '—'} ·{' '}
        {user.servers.length} server(s) · used {formatBytes(access.usedBytes)}
        {access.trafficLimitBytes ? ` of ${formatBytes(access.trafficLimitBytes)}` : ''}
        {access.expiresAt && ` · until ${new Date(access.expiresAt).toLocaleString()}`}
        {access.nextResetAt && ` · traffic resets ${new Date(access.nextResetAt).toLocaleString()}`}
      </p>
      <Group gap="xs" my="sm">
        {canChangeAccess && (
          <>
            <Button
              variant="default"
              onClick={() =>
                toggle.mutate(
                  { id: user.id, input: { enabled: !access.enabled } },
                  { onSuccess: () => done(access.enabled ? 'Access disabled' : 'Access enabled', name) },
                )
              }
            >
              {access.enabled ? 'Disable' : 'Enable'}
            </Button>
            <Group gap={4} wrap="nowrap">
              <NumberInput value={days} onChange={setDays} min={1} max={3650} w={90} aria-label="Days" suffix=" d" />
              <Button
                variant="default"
                onClick={() =>
                  extend.mutate(
                    { id: user.id, input: Number(days) },
                    { onSuccess: () => done('Access extended', `${name}: ${days} more day(s)`) },
                  )
                }
              >
                Extend
              </Button>
            </Group>
            <Button
              variant="default"
              onClick={() =>
                reset.mutate({ id: user.id, input: undefined }, { onSuccess: () => done('Traffic reset', name) })
              }
            >
              Reset traffic
            </Button>
            <Button
              variant="default"
              onClick={() => rotate.mutate({ id: user.id, input: undefined }, { onSuccess: () => void rotated() })}
            >
              Rotate key
            </Button>
          </>
        )}
        {canDelete && (
          <Button color="red" variant="light" onClick={confirmDelete}>
            Delete…
          </Button>
        )}
      </Group>
      {failure && (
        <Alert color="red" role="alert" mb="sm">
          {failure.message}
        </Alert>
      )}
      {canSeeKeys && <UserSupport userId={user.id} />}
      {canChangeAccess && (
        <>
          <h2>Plan</h2>
          <UserPlanForm user={user} onSaved={() => done('Plan saved', name)} />
        </>
      )}
      <UserServers user={user} />
      <UserDevices user={user} />
      <UserUsage user={user} />
      <UserHistory userId={user.id} />
    </section>
  );
}

/** Traffic in the current period against the limit, and per day over the last 30 days, stacked by node. */
function UserUsage({ user }: { user: UserView }) {
  const usage = useUserUsage(user.id).data;
  const nodes = useNodes().data ?? [];
  const nodeName = (nodeId: number) => nodes.find((node) => node.id === nodeId)?.name ?? `node ${nodeId}`;
  if (!usage) return null;
  const { period } = usage;
  return (
    <>
      <h2>Usage</h2>
      <p>
        This period: {formatBytes(period.up + period.down)} (↑ {formatBytes(period.up)} ↓ {formatBytes(period.down)})
        {user.access.trafficLimitBytes ? ` of ${formatBytes(user.access.trafficLimitBytes)}` : ', no limit'}
        {period.end && ` · until ${new Date(period.end).toLocaleString()}`}
      </p>
      <UsageChart buckets={usage.buckets} nodeName={nodeName} granularity="day" />
    </>
  );
}
