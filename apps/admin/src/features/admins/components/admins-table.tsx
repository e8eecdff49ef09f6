import type { AdminView } from '@fleet/contract';
import { Badge as Tag, Group, Table, VisuallyHidden } from '@mantine/core';
import { Badge } from '../../../components/ui/badge';
import { AdminActions } from './admin-actions';

/** Every admin account; on a phone the name, role, status and the actions menu. */
export function AdminsTable({ admins, yourId }: { admins: AdminView[]; yourId: number | null }) {
  return (
    <Table.ScrollContainer minWidth={0}>
      <Table highlightOnHover verticalSpacing="xs">
        <Table.Caption>{admins.length === 1 ? '1 admin' : `${admins.length} admins`}</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Username</Table.Th>
            <Table.Th scope="col">Role</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col" visibleFrom="sm">
              Created
            </Table.Th>
            <Table.Th scope="col">
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {admins.map((admin) => (
            <AdminRow key={admin.id} admin={admin} isYou={admin.id === yourId} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function AdminRow({ admin, isYou }: { admin: AdminView; isYou: boolean }) {
  return (
    <Table.Tr>
      <Table.Th scope="row" style={{ overflowWrap: 'anywhere' }}>
        <Group gap={6} wrap="nowrap">
          {admin.username}
          {isYou && (
            <Tag size="sm" variant="light">
              you
            </Tag>
          )}
        </Group>
      </Table.Th>
      <Table.Td>{admin.role}</Table.Td>
      <Table.Td>
        <Badge tone={admin.disabled ? 'neutral' : 'good'}>{admin.disabled ? 'disabled' : 'active'}</Badge>
      </Table.Td>
      <Table.Td visibleFrom="sm">{new Date(admin.createdAt).toLocaleDateString()}</Table.Td>
      <Table.Td>
        <AdminActions admin={admin} isYou={isYou} />
      </Table.Td>
    </Table.Tr>
  );
}
