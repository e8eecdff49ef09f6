import type { UserView } from '@fleet/contract';
import { Alert, Button, Table, Text } from '@mantine/core';
import { useCan } from '../../../lib/queries/me';
import { useForgetDevice, useUserDevices } from '../api/user';

/** The user's devices (from `x-hwid` at subscription fetches) against their device limit, each with Forget. */
export function UserDevices({ user }: { user: UserView }) {
  const devices = useUserDevices(user.id);
  const forget = useForgetDevice(user.id);
  const canForget = useCan('users:access');
  const limit = user.access.deviceLimit;
  if (!devices.data) return null;
  return (
    <>
      <h2>Devices</h2>
      <p>
        {devices.data.length} device(s){limit ? ` of ${limit} allowed` : ', no limit'}. Apps that send no hardware id
        are not listed; the panel's per-IP limit still applies to them.
      </p>
      {devices.data.length > 0 && (
        <Table.ScrollContainer minWidth={560}>
          <Table aria-label="Devices">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Device</Table.Th>
                <Table.Th>App</Table.Th>
                <Table.Th>First seen</Table.Th>
                <Table.Th>Last seen</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {devices.data.map((device) => (
                <Table.Tr key={device.id}>
                  <Table.Td>
                    {[device.model, device.os, device.osVersion].filter(Boolean).join(' · ') || device.hwid}
                    <Text size="xs" c="dimmed">
                      {device.hwid}
                    </Text>
                  </Table.Td>
                  <Table.Td>{device.userAgent ?? '—'}</Table.Td>
                  <Table.Td>{new Date(device.firstSeenAt).toLocaleString()}</Table.Td>
                  <Table.Td>{new Date(device.lastSeenAt).toLocaleString()}</Table.Td>
                  <Table.Td>
                    {canForget && (
                      <Button
                        size="xs"
                        variant="default"
                        onClick={() => forget.mutate(device.id)}
                        disabled={forget.isPending}
                        loading={forget.isPending && forget.variables === device.id}
                      >
                        Forget
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {forget.error && (
        <Alert color="red" role="alert">
          {forget.error.message}
        </Alert>
      )}
    </>
  );
}
