import type { ApiTokenView } from '@fleet/contract';
import { Badge, Group, Menu, Table, Text, VisuallyHidden } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { useRevokeToken } from '../api/tokens';
import { RowActions } from '../../../components/ui/row-actions';

const when = (at: string | null, otherwise: string) => (at ? new Date(at).toLocaleString() : otherwise);

/**
 * Every API token: name and prefix, preset (or custom) and scopes, expiry, last use, who made it. On a phone the
 * name, the preset and the actions menu.
 */
export function TokensTable({ tokens }: { tokens: ApiTokenView[] }) {
  if (!tokens.length) return <p>No API tokens yet: the Telegram bot needs one (New token, preset bot).</p>;
  return (
    <Table.ScrollContainer minWidth={0}>
      <Table
        highlightOnHover
        verticalSpacing="xs"
        styles={{ td: { verticalAlign: 'top' }, th: { verticalAlign: 'top' } }}
      >
        <Table.Caption>{tokens.length === 1 ? '1 API token' : `${tokens.length} API tokens`}</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Name</Table.Th>
            <Table.Th scope="col">Access</Table.Th>
            <Table.Th scope="col" visibleFrom="sm">
              Expires
            </Table.Th>
            <Table.Th scope="col" visibleFrom="md">
              Last used
            </Table.Th>
            <Table.Th scope="col" visibleFrom="lg">
              Created by
            </Table.Th>
            <Table.Th scope="col">
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tokens.map((token) => (
            <TokenRow key={token.id} token={token} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function TokenRow({ token }: { token: ApiTokenView }) {
  const expiredAt = token.expiresAt !== null && Date.parse(token.expiresAt) <= Date.now() ? token.expiresAt : null;
  return (
    <Table.Tr>
      <Table.Th scope="row" style={{ overflowWrap: 'anywhere' }}>
        {token.name}
        <Text size="sm" c="dimmed" fw={400} ff="monospace">
          {token.prefix}…
        </Text>
      </Table.Th>
      <Table.Td>
        <Text size="sm" fw={500}>
          {token.role ?? 'custom'}
        </Text>
        <Group gap={4} mt={4} visibleFrom="sm" role="group" aria-label="Scopes">
          {token.scopes.map((scope) => (
            <Badge key={scope} size="sm" variant="light" color="gray" tt="none">
              {scope}
            </Badge>
          ))}
        </Group>
      </Table.Td>
      <Table.Td visibleFrom="sm">
        {expiredAt ? (
          <Badge color="red" variant="light" tt="none">
            expired {new Date(expiredAt).toLocaleString()}
          </Badge>
        ) : (
          when(token.expiresAt, 'never')
        )}
      </Table.Td>
      <Table.Td visibleFrom="md">{when(token.lastUsedAt, 'never')}</Table.Td>
      <Table.Td visibleFrom="lg">
        {token.createdBy}
        <Text size="sm" c="dimmed">
          {new Date(token.createdAt).toLocaleDateString()}
        </Text>
      </Table.Td>
      <Table.Td>
        <TokenActions token={token} />
      </Table.Td>
    </Table.Tr>
  );
}

/** Revoke, after a confirmation that says what stops working. */
function TokenActions({ token }: { token: ApiTokenView }) {
  const revoke = useRevokeToken();
  const confirmRevoke = () =>
    modals.openConfirmModal({
      title: `Revoke ${token.name}?`,
      children: <Text size="sm">Whatever uses it is refused from now on. A revoked token cannot be brought back.</Text>,
      labels: { confirm: 'Revoke', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () =>
        revoke.mutate(token.id, {
          onSuccess: () => notifications.show({ color: 'teal', title: 'Token revoked', message: token.name }),
          onError: (error) =>
            notifications.show({
              color: 'red',
              title: `${token.name} was not revoked`,
              message: error.message,
              autoClose: false,
            }),
        }),
    });
  return (
    <RowActions name={token.name}>
      <Menu.Item color="red" onClick={confirmRevoke}>
        Revoke…
      </Menu.Item>
    </RowActions>
  );
}
