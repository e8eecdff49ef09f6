import { Group, Skeleton, Stack, Text, Title } from '@mantine/core';
import { LoadError } from '../../../components/ui/load-error';
import { useMe } from '../../../lib/queries/me';
import { useAdmins } from '../api/admins';
import { AddAdminButton } from './add-admin';
import { AdminsTable } from './admins-table';

/** Admin accounts and their roles: add one, change a role, disable, enable or delete. */
export function AdminsPage() {
  const admins = useAdmins();
  const me = useMe().data;
  return (
    <section>
      <Group justify="space-between" mb="xs">
        <Title order={1}>Admins</Title>
        <AddAdminButton />
      </Group>
      <Text size="sm" c="dimmed" mb="sm">
        Who may sign in to this dashboard, and what their role lets them do. A disabled or deleted admin’s sessions end
        at once.
      </Text>
      {admins.error ? (
        <LoadError title="The admins could not be loaded" error={admins.error} onRetry={() => void admins.refetch()} />
      ) : admins.isPending ? (
        <Stack gap="xs" aria-busy="true" aria-label="Loading">
          <Skeleton h={32} />
          <Skeleton h={32} />
        </Stack>
      ) : (
        <AdminsTable admins={admins.data} yourId={me?.kind === 'admin' ? me.id : null} />
      )}
    </section>
  );
}
