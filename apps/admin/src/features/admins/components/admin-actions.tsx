import type { AdminView } from '@fleet/contract';
import { Alert, Button, Group, Menu, Modal, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useDeleteAdmin, useUpdateAdmin } from '../api/admins';
import { refusalInWords } from './admin-errors';
import { RoleSelect } from './role-select';
import { RowActions } from '../../../components/ui/row-actions';

const done = (title: string, message: string) => notifications.show({ color: 'teal', title, message });
const refused = (title: string, message: string) =>
  notifications.show({ color: 'red', title, message, autoClose: false });

/** A row's actions behind one button (the table stays narrow enough for a phone): role, disable or enable, delete. */
export function AdminActions({ admin, isYou }: { admin: AdminView; isYou: boolean }) {
  const [changingRole, roleDialog] = useDisclosure(false);
  const update = useUpdateAdmin();
  const remove = useDeleteAdmin();
  const { username } = admin;
  const yourOwn = isYou ? ' This is your own account: you are signed out too.' : '';
  const setDisabled = (disabled: boolean) =>
    update.mutate(
      { id: admin.id, change: { disabled } },
      {
        onSuccess: () => done(disabled ? 'Admin disabled' : 'Admin enabled', username),
        onError: (error) => refused(`${username} was not changed`, refusalInWords(error, username)),
      },
    );
  const confirmDisable = () =>
    modals.openConfirmModal({
      title: `Disable ${username}?`,
      children: <Text size="sm">They can no longer sign in, and their sessions end at once.{yourOwn}</Text>,
      labels: { confirm: 'Disable', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () => setDisabled(true),
    });
  const confirmDelete = () =>
    modals.openConfirmModal({
      title: `Delete ${username}?`,
      children: (
        <Text size="sm">
          Their sessions end at once and the account is gone for good (the event log keeps their name).{yourOwn}
        </Text>
      ),
      labels: { confirm: 'Delete', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () =>
        remove.mutate(admin.id, {
          onSuccess: () => done('Admin deleted', username),
          onError: (error) => refused(`${username} was not deleted`, refusalInWords(error, username)),
        }),
    });
  return (
    <>
      <RowActions name={username}>
        <Menu.Item onClick={roleDialog.open}>Change role…</Menu.Item>
        {admin.disabled ? (
          <Menu.Item onClick={() => setDisabled(false)}>Enable</Menu.Item>
        ) : (
          <Menu.Item onClick={confirmDisable}>Disable…</Menu.Item>
        )}
        <Menu.Item color="red" onClick={confirmDelete}>
          Delete…
        </Menu.Item>
      </RowActions>
      <Modal opened={changingRole} onClose={roleDialog.close} title={`Role of ${username}`}>
        {changingRole && <ChangeRoleForm admin={admin} onDone={roleDialog.close} />}
      </Modal>
    </>
  );
}

function ChangeRoleForm({ admin, onDone }: { admin: AdminView; onDone: () => void }) {
  const [role, setRole] = useState<string | null>(admin.role);
  const update = useUpdateAdmin();
  const save = () =>
    update.mutate(
      { id: admin.id, change: { role: role as AdminView['role'] } },
      {
        onSuccess: () => {
          done('Role changed', `${admin.username} is now ${role}`);
          onDone();
        },
      },
    );
  return (
    <Stack gap="sm">
      <RoleSelect value={role} onChange={setRole} data-autofocus />
      {update.error && (
        <Alert color="red" role="alert">
          {refusalInWords(update.error, admin.username)}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button onClick={save} disabled={role === admin.role} loading={update.isPending}>
          Save role
        </Button>
      </Group>
    </Stack>
  );
}
