import { ADMIN_ROLES, type AdminRole } from '@fleet/contract';
import { Select, type SelectProps, Stack, Text } from '@mantine/core';
import { ROLE_SUMMARY } from '../../../lib/roles';

const isRole = (value: unknown): value is AdminRole => ADMIN_ROLES.includes(value as AdminRole);

/** A role picker: each role with what it may do in the list, the chosen one's summary under the field. */
export function RoleSelect(props: Omit<SelectProps, 'data'>) {
  return (
    <Select
      label="Role"
      allowDeselect={false}
      {...props}
      data={[...ADMIN_ROLES]}
      description={isRole(props.value) ? ROLE_SUMMARY[props.value] : undefined}
      renderOption={({ option }) => (
        <Stack gap={0}>
          <Text size="sm">{option.label}</Text>
          <Text size="xs" c="dimmed">
            {isRole(option.value) ? ROLE_SUMMARY[option.value] : ''}
          </Text>
        </Stack>
      )}
    />
  );
}
