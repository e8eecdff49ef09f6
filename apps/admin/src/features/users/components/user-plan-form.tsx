import { type AccessPatch, TRAFFIC_RESETS, type TrafficReset, type UserView } from '@fleet/contract';
import { Alert, Button, Group, NumberInput, Select, SimpleGrid, Textarea } from '@mantine/core';
import { DateTimePicker } from '@mantine/dates';
import { useForm } from '@mantine/form';
import dayjs from 'dayjs';
import { ApiError } from '../../../lib/api-client';
import { updateAccess, useUserAction } from '../api/user';

const GB = 1e9;
/** How a picked date-time is written: the operator's local time, to the minute. */
const LOCAL = 'YYYY-MM-DD HH:mm:ss';

export interface PlanValues {
  expiresAt: string | null;
  holdDays: number | string;
  trafficLimitGb: number | string;
  trafficReset: string;
  deviceLimit: number | string;
  note: string;
}

/** The form's values for the user's plan: dates in the operator's time zone, traffic in GB. */
export function planValues(user: UserView): PlanValues {
  const { access } = user;
  return {
    expiresAt: access.expiresAt ? dayjs(access.expiresAt).format(LOCAL) : null,
    holdDays: access.holdDays ?? '',
    trafficLimitGb: access.trafficLimitBytes / GB,
    trafficReset: access.trafficReset,
    deviceLimit: access.deviceLimit,
    note: access.note ?? '',
  };
}

const same = (a: unknown, b: unknown) => String(a ?? '') === String(b ?? '');
/** For a figure where empty means 0. */
const amount = (value: number | string) => Number(value || 0);

/** Only what changed, in the API's terms. */
export function accessChanges(before: PlanValues, after: PlanValues): AccessPatch {
  const patch: AccessPatch = {};
  if (!same(after.expiresAt, before.expiresAt)) {
    patch.expiresAt = after.expiresAt ? dayjs(after.expiresAt).toDate().toISOString() : null;
  }
  if (!same(after.holdDays, before.holdDays)) patch.holdDays = after.holdDays === '' ? null : Number(after.holdDays);
  if (amount(after.trafficLimitGb) !== amount(before.trafficLimitGb)) {
    patch.trafficLimitBytes = Math.round(amount(after.trafficLimitGb) * GB);
  }
  if (after.trafficReset !== before.trafficReset) patch.trafficReset = after.trafficReset as TrafficReset;
  if (amount(after.deviceLimit) !== amount(before.deviceLimit)) patch.deviceLimit = amount(after.deviceLimit);
  if (after.note !== before.note) patch.note = after.note || null;
  return patch;
}

/** Which form field shows the API's complaint about each of its fields. */
const FIELD_OF: Record<string, keyof PlanValues> = {
  expiresAt: 'expiresAt',
  holdDays: 'holdDays',
  trafficLimitBytes: 'trafficLimitGb',
  trafficReset: 'trafficReset',
  deviceLimit: 'deviceLimit',
  note: 'note',
};

/** The user's plan in human units; saving sends only what changed, the API's refusals shown on their fields. */
export function UserPlanForm({ user, onSaved }: { user: UserView; onSaved: () => void }) {
  const initial = planValues(user);
  const form = useForm<PlanValues>({ initialValues: initial });
  const save = useUserAction(updateAccess);
  const { error } = save;
  const placedOnFields =
    error instanceof ApiError && Object.keys(error.fieldErrors()).some((field) => field in FIELD_OF);
  const submit = (values: PlanValues) =>
    save.mutate(
      { id: user.id, input: accessChanges(initial, values) },
      {
        onSuccess: onSaved,
        onError: (refusal) => {
          if (!(refusal instanceof ApiError)) return;
          for (const [field, message] of Object.entries(refusal.fieldErrors())) {
            if (field in FIELD_OF) form.setFieldError(FIELD_OF[field], message);
          }
        },
      },
    );
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <form onSubmit={form.onSubmit(submit)} aria-label="Plan">
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <DateTimePicker
          label={`Expires at (${zone})`}
          description="Empty: never"
          placeholder="never"
          clearable
          valueFormat="YYYY-MM-DD HH:mm"
          {...form.getInputProps('expiresAt')}
        />
        <NumberInput
          label="Hold days (starts on first use)"
          min={1}
          allowDecimal={false}
          {...form.getInputProps('holdDays')}
        />
        <NumberInput
          label="Traffic limit (GB, 0 = none)"
          min={0}
          decimalScale={3}
          {...form.getInputProps('trafficLimitGb')}
        />
        <Select
          label="Traffic reset"
          data={[...TRAFFIC_RESETS]}
          allowDeselect={false}
          {...form.getInputProps('trafficReset')}
        />
        <NumberInput
          label="Devices (0 = no limit)"
          min={0}
          allowDecimal={false}
          {...form.getInputProps('deviceLimit')}
        />
        <Textarea label="Note" rows={2} {...form.getInputProps('note')} />
      </SimpleGrid>
      {error && !placedOnFields && (
        <Alert color="red" role="alert" mt="sm">
          {error.message}
        </Alert>
      )}
      <Group mt="sm">
        <Button type="submit" loading={save.isPending}>
          Save plan
        </Button>
      </Group>
    </form>
  );
}
