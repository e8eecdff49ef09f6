import { ErrorCode } from '@fleet/contract';
import { Alert, Button, Card, Group, PasswordInput, Stack, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { ApiError } from '../../../lib/api-client';
import { PASSWORD_MIN_LENGTH } from '../../../lib/password-rules';
import { useChangePassword } from '../api/password';

interface PasswordValues {
  currentPassword: string;
  newPassword: string;
  repeated: string;
}

/** A new password, typed twice; the current one proves it is you. Your other sessions end; this one goes on. */
export function ChangePassword() {
  const change = useChangePassword();
  const form = useForm<PasswordValues>({
    initialValues: { currentPassword: '', newPassword: '', repeated: '' },
    validate: {
      currentPassword: (value) => (value ? null : 'Type your current password'),
      newPassword: (value) =>
        value.length >= PASSWORD_MIN_LENGTH ? null : `Must be at least ${PASSWORD_MIN_LENGTH} characters`,
      repeated: (value, values) => (value === values.newPassword ? null : 'The two new passwords differ'),
    },
  });
  const placed = (error: Error) =>
    error instanceof ApiError &&
    (error.code === ErrorCode.InvalidCredentials ||
      Object.keys(error.fieldErrors()).some((field) => field in form.values));
  const submit = form.onSubmit((values) =>
    change.mutate(
      { currentPassword: values.currentPassword, newPassword: values.newPassword },
      {
        onSuccess: () => {
          form.reset();
          notifications.show({
            color: 'teal',
            title: 'Password changed',
            message: 'Your sessions in other browsers have ended; this one goes on.',
          });
        },
        onError: (error) => {
          if (!(error instanceof ApiError)) return;
          if (error.code === ErrorCode.InvalidCredentials) {
            form.setFieldError('currentPassword', 'The current password is wrong');
            return;
          }
          for (const [field, message] of Object.entries(error.fieldErrors())) {
            if (field in values) form.setFieldError(field, message);
          }
        },
      },
    ),
  );
  return (
    <Card withBorder component="section" aria-labelledby="change-password">
      <Title order={2} size="h3" mb="sm" id="change-password">
        Change password
      </Title>
      <form onSubmit={submit} aria-label="Change password">
        <Stack gap="sm" maw={420}>
          <PasswordInput
            label="Current password"
            autoComplete="current-password"
            withAsterisk
            {...form.getInputProps('currentPassword')}
          />
          <PasswordInput
            label="New password"
            description={`At least ${PASSWORD_MIN_LENGTH} characters`}
            autoComplete="new-password"
            withAsterisk
            {...form.getInputProps('newPassword')}
          />
          <PasswordInput
            label="New password again"
            autoComplete="new-password"
            withAsterisk
            {...form.getInputProps('repeated')}
          />
          {change.error && !placed(change.error) && (
            <Alert color="red" role="alert">
              {change.error.message}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={change.isPending}>
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
