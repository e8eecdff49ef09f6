import { ADMIN_ROLES, type AdminRole, ErrorCode } from '@fleet/contract';
import { Alert, Button, Group, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { ModalButton } from '../../../components/ui/modal-button';
import { ApiError } from '../../../lib/api-client';
import { PASSWORD_MIN_LENGTH } from '../../../lib/password-rules';
import { useCreateAdmin } from '../api/admins';
import { refusalInWords } from './admin-errors';
import { RoleSelect } from './role-select';

/** The API's rule for an admin's name, checked before sending. */
const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;

interface NewAdminValues {
  username: string;
  password: string;
  role: AdminRole;
}

export function AddAdminButton() {
  return (
    <ModalButton label="Add admin" title="Add an admin">
      {(close) => <AddAdminForm onDone={close} />}
    </ModalButton>
  );
}

/** A new admin's name, first password and role; they sign in with these at once. */
function AddAdminForm({ onDone }: { onDone: () => void }) {
  const create = useCreateAdmin();
  const form = useForm<NewAdminValues>({
    initialValues: { username: '', password: '', role: 'viewer' },
    validate: {
      username: (value) =>
        USERNAME.test(value.trim()) ? null : 'Username: 1 to 64 letters, digits or . _ @ - (no spaces)',
      password: (value) =>
        value.length >= PASSWORD_MIN_LENGTH ? null : `Must be at least ${PASSWORD_MIN_LENGTH} characters`,
      role: (value) => (ADMIN_ROLES.includes(value) ? null : 'Choose a role'),
    },
  });
  const placed = (error: Error) =>
    error instanceof ApiError &&
    (error.code === ErrorCode.AdminNameTaken || Object.keys(error.fieldErrors()).some((field) => field in form.values));
  const submit = form.onSubmit((values) => {
    const username = values.username.trim();
    create.mutate(
      { username, password: values.password, role: values.role },
      {
        onSuccess: () => {
          notifications.show({
            color: 'teal',
            title: 'Admin added',
            message: `${username} can sign in as ${values.role}`,
          });
          onDone();
        },
        onError: (error) => {
          if (!(error instanceof ApiError)) return;
          if (error.code === ErrorCode.AdminNameTaken) form.setFieldError('username', refusalInWords(error, username));
          for (const [field, message] of Object.entries(error.fieldErrors())) {
            if (field in values) form.setFieldError(field, message);
          }
        },
      },
    );
  });
  return (
    <form onSubmit={submit} aria-label="New admin">
      <Stack gap="sm">
        <TextInput label="Username" withAsterisk autoComplete="off" {...form.getInputProps('username')} />
        <PasswordInput
          label="Password"
          description={`At least ${PASSWORD_MIN_LENGTH} characters; they can change it on their account page`}
          withAsterisk
          autoComplete="new-password"
          {...form.getInputProps('password')}
        />
        <RoleSelect withAsterisk {...form.getInputProps('role')} />
        {create.error && !placed(create.error) && (
          <Alert color="red" role="alert">
            {create.error.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Add admin
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
