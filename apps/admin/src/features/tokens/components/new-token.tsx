import { SCOPES, type Scope } from '@fleet/contract';
import {
  Alert,
  Button,
  Checkbox,
  Code,
  Group,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { DateTimePicker } from '@mantine/dates';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import dayjs from 'dayjs';
import { useState } from 'react';
import { Copyable } from '../../../components/ui/copyable';
import { ModalButton } from '../../../components/ui/modal-button';
import { ApiError } from '../../../lib/api-client';
import { OFFERED_PRESETS, PRESET_SUMMARY, SCOPE_SUMMARY } from '../../../lib/roles';
import { type NewToken, useCreateToken } from '../api/tokens';

type Preset = (typeof OFFERED_PRESETS)[number];

export interface TokenValues {
  name: string;
  /** A preset's scopes, or scopes picked one by one. */
  access: 'preset' | 'scopes';
  preset: Preset;
  scopes: string[];
  /** The operator's local time, 'YYYY-MM-DD HH:mm:ss'; null: never expires. */
  expiresAt: string | null;
}

/** The token as the API takes it: the preset or the picked scopes (in the API's order), the expiry as an instant. */
export function tokenRequest(values: TokenValues): NewToken {
  return {
    name: values.name.trim(),
    ...(values.access === 'preset'
      ? { role: values.preset }
      : { scopes: SCOPES.filter((scope: Scope) => values.scopes.includes(scope)) }),
    ...(values.expiresAt ? { expiresAt: dayjs(values.expiresAt).toDate().toISOString() } : {}),
  };
}

/** Which form field shows the API's complaint about each of its fields. */
const FIELD_OF: Record<string, keyof TokenValues> = {
  name: 'name',
  role: 'preset',
  scopes: 'scopes',
  expiresAt: 'expiresAt',
};

/** "New token": made here, then shown once, in the same dialog, until the operator has copied it. */
export function NewTokenButton() {
  return (
    <ModalButton label="New token" title="New API token" closeOnClickOutside={false}>
      {(close) => <NewToken onDone={close} />}
    </ModalButton>
  );
}

function NewToken({ onDone }: { onDone: () => void }) {
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  return created ? (
    <TokenShownOnce name={created.name} token={created.token} onDone={onDone} />
  ) : (
    <NewTokenForm onCreated={setCreated} onCancel={onDone} />
  );
}

function NewTokenForm({
  onCreated,
  onCancel,
}: {
  onCreated: (token: { name: string; token: string }) => void;
  onCancel: () => void;
}) {
  const create = useCreateToken();
  const form = useForm<TokenValues>({
    initialValues: { name: '', access: 'preset', preset: 'bot', scopes: [], expiresAt: null },
    validate: {
      name: (value) =>
        !value.trim() ? 'Give the token a name' : value.trim().length > 64 ? 'At most 64 characters' : null,
      scopes: (value, values) => (values.access === 'scopes' && !value.length ? 'Pick at least one scope' : null),
      expiresAt: (value) => (value && !dayjs(value).isAfter(dayjs()) ? 'Must be in the future' : null),
    },
  });
  const placed =
    create.error instanceof ApiError && Object.keys(create.error.fieldErrors()).some((field) => field in FIELD_OF);
  const submit = form.onSubmit((values) =>
    create.mutate(tokenRequest(values), {
      onSuccess: (token) => {
        notifications.show({ color: 'teal', title: 'Token created', message: token.name });
        onCreated({ name: token.name, token: token.token });
      },
      onError: (error) => {
        if (!(error instanceof ApiError)) return;
        for (const [field, message] of Object.entries(error.fieldErrors())) {
          if (FIELD_OF[field]) form.setFieldError(FIELD_OF[field], message);
        }
      },
    }),
  );
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <form onSubmit={submit} aria-label="New token">
      <Stack gap="sm">
        <TextInput
          label="Name"
          description="What uses it, e.g. telegram-bot"
          withAsterisk
          {...form.getInputProps('name')}
        />
        <SegmentedControl
          aria-label="Access"
          data={[
            { value: 'preset', label: 'A preset' },
            { value: 'scopes', label: 'Pick scopes' },
          ]}
          {...form.getInputProps('access')}
        />
        {form.values.access === 'preset' ? (
          <Select
            label="Preset"
            data={[...OFFERED_PRESETS]}
            allowDeselect={false}
            description={PRESET_SUMMARY[form.values.preset]}
            {...form.getInputProps('preset')}
          />
        ) : (
          <Checkbox.Group label="Scopes" {...form.getInputProps('scopes')}>
            <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs" spacing="xs">
              {SCOPES.map((scope) => (
                <Checkbox key={scope} value={scope} label={scope} description={SCOPE_SUMMARY[scope]} />
              ))}
            </SimpleGrid>
          </Checkbox.Group>
        )}
        <DateTimePicker
          label={`Expires at (${zone})`}
          description="Empty: never expires"
          placeholder="never"
          clearable
          valueFormat="YYYY-MM-DD HH:mm"
          minDate={new Date()}
          timePickerProps={{ hoursInputLabel: 'Hours', minutesInputLabel: 'Minutes' }}
          {...form.getInputProps('expiresAt')}
        />
        {create.error && !placed && (
          <Alert color="red" role="alert">
            {create.error.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Create token
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The new token, the only time it can be seen: copied now, or made again. */
function TokenShownOnce({ name, token, onDone }: { name: string; token: string; onDone: () => void }) {
  return (
    <Stack gap="sm">
      <Alert color="yellow" title="Copy it now" role="note">
        This token cannot be shown again. If it is lost, revoke it and make a new one.
      </Alert>
      <Copyable label={`Token ${name}`} value={token} withQr={false} />
      <Text size="sm" c="dimmed">
        Send it as <Code>Authorization: Bearer …</Code>
      </Text>
      <Group justify="flex-end">
        <Button onClick={onDone}>I have copied it</Button>
      </Group>
    </Stack>
  );
}
