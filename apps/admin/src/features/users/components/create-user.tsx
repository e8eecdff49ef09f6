import { Alert, Button, Checkbox, Group, NumberInput, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { type AccessPatch, TRAFFIC_RESETS, type TrafficReset, flagOf } from '@fleet/contract';
import { useNavigate } from 'react-router';
import { ModalButton } from '../../../components/ui/modal-button';
import { ApiError } from '../../../lib/api-client';
import { useGroups } from '../../../lib/queries/groups';
import { useCreateUser } from '../api/users';

const GB = 1e9;
const DAY_MS = 86_400_000;

interface NewUser {
  telegramId: string;
  username: string;
  location: string;
  days: number | string;
  trafficLimitGb: number | string;
  trafficReset: TrafficReset;
  deviceLimit: number | string;
  groups: string[];
}

/** The plan as the API takes it; `now` fixes the expiry's start (tests). */
export function planOf(values: NewUser, now = Date.now()): AccessPatch {
  return {
    ...(values.days !== '' && Number(values.days) > 0
      ? { expiresAt: new Date(now + Number(values.days) * DAY_MS).toISOString() }
      : {}),
    trafficLimitBytes: Math.round(Number(values.trafficLimitGb || 0) * GB),
    trafficReset: values.trafficReset,
    deviceLimit: Number(values.deviceLimit || 0),
    ...(values.groups.length ? { groups: values.groups.map(Number) } : {}),
  };
}

/** Which form field an API field's error belongs to. */
const FORM_FIELD: Record<string, keyof NewUser> = {
  telegramId: 'telegramId',
  username: 'username',
  location: 'location',
  expiresAt: 'days',
  trafficLimitBytes: 'trafficLimitGb',
  trafficReset: 'trafficReset',
  deviceLimit: 'deviceLimit',
  groups: 'groups',
};

/** "New user": a telegram id, a name, a location and a plan, created as the bot creates them. */
export function CreateUserButton() {
  return (
    <ModalButton label="New user" title="New user">
      {(close) => <CreateUserForm onDone={close} />}
    </ModalButton>
  );
}

function CreateUserForm({ onDone }: { onDone: () => void }) {
  const navigate = useNavigate();
  const groups = useGroups().data ?? [];
  const create = useCreateUser();
  const form = useForm<NewUser>({
    initialValues: {
      telegramId: '',
      username: '',
      location: '',
      days: 30,
      trafficLimitGb: 0,
      trafficReset: 'month',
      deviceLimit: 0,
      groups: [],
    },
    validate: {
      telegramId: (value) => (/^[1-9]\d{0,15}$/.test(value.trim()) ? null : 'Telegram id is a positive number'),
    },
  });
  const chosenGroups = form.values.groups.length
    ? form.values.groups
    : groups.filter((group) => group.defaultForNewUsers).map((group) => String(group.id));
  const failure = create.error instanceof ApiError ? create.error : null;
  const submit = form.onSubmit((values) =>
    create.mutate(
      {
        telegramId: Number(values.telegramId.trim()),
        ...(values.username.trim() ? { username: values.username.trim() } : {}),
        ...(values.location.trim() ? { location: values.location.trim() } : {}),
        plan: planOf({ ...values, groups: chosenGroups }),
      },
      {
        onSuccess: (key) => {
          notifications.show(
            key.planApplied === false
              ? {
                  color: 'yellow',
                  title: 'This telegram id already has a user',
                  message: 'Its plan was left as it is: change it on its page.',
                }
              : { color: 'teal', title: 'User created', message: `Telegram id ${key.telegramId}` },
          );
          onDone();
          void navigate(`/users/${key.userId}`);
        },
        onError: (error) => {
          if (!(error instanceof ApiError)) return;
          for (const [field, message] of Object.entries(error.fieldErrors())) {
            if (FORM_FIELD[field]) form.setFieldError(FORM_FIELD[field], message);
          }
        },
      },
    ),
  );
  const unplaced = failure && !Object.keys(failure.fieldErrors()).some((field) => FORM_FIELD[field]);
  return (
    <form onSubmit={submit} aria-label="New user">
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Telegram id" required inputMode="numeric" {...form.getInputProps('telegramId')} />
          <TextInput label="Username" {...form.getInputProps('username')} />
        </SimpleGrid>
        <TextInput
          label="Location"
          description="Preferred node location; any node when none matches"
          {...form.getInputProps('location')}
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <NumberInput
            label="Days of access"
            description="Empty or 0: no expiry"
            min={0}
            max={36500}
            {...form.getInputProps('days')}
          />
          <NumberInput
            label="Traffic limit (GB)"
            description="0: no limit"
            min={0}
            decimalScale={2}
            {...form.getInputProps('trafficLimitGb')}
          />
          <Select
            label="Traffic reset"
            data={[...TRAFFIC_RESETS]}
            allowDeselect={false}
            {...form.getInputProps('trafficReset')}
          />
          <NumberInput
            label="Devices"
            description="0: no limit"
            min={0}
            max={100}
            {...form.getInputProps('deviceLimit')}
          />
        </SimpleGrid>
        {groups.length > 1 && (
          <Checkbox.Group
            label="Groups of the plan"
            description="A server in each; the default groups when none is chosen"
            value={chosenGroups}
            onChange={(value) => form.setFieldValue('groups', value)}
            error={form.errors['groups']}
          >
            <Group mt="xs">
              {groups.map((group) => (
                <Checkbox
                  key={group.id}
                  value={String(group.id)}
                  label={`${group.countryCode ? `${flagOf(group.countryCode)} ` : ''}${group.name}`}
                />
              ))}
            </Group>
          </Checkbox.Group>
        )}
        {unplaced && (
          <Alert color="red" role="alert">
            {failure.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Create user
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
