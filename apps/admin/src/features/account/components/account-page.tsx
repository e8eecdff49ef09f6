import type { WhoAmI } from '@fleet/contract';
import { Badge, Button, Card, Group, Skeleton, Stack, Text, Title } from '@mantine/core';
import { LoadError } from '../../../components/ui/load-error';
import { useMe } from '../../../lib/queries/me';
import { ROLE_SUMMARY } from '../../../lib/roles';
import { signOutEverywhere } from '../../../lib/sign-out';
import { ChangePassword } from './change-password';

/** The signed-in admin: who they are and what their role allows, their password, and their sessions. */
export function AccountPage() {
  const me = useMe();
  return (
    <Stack component="section" gap="md">
      <Title order={1}>My account</Title>
      {me.error ? (
        <LoadError title="Your account could not be loaded" error={me.error} onRetry={() => void me.refetch()} />
      ) : !me.data ? (
        <Skeleton h={120} aria-label="Loading" />
      ) : (
        <>
          <WhoIAm me={me.data} />
          {me.data.kind === 'admin' && (
            <>
              <ChangePassword />
              <Sessions />
            </>
          )}
        </>
      )}
    </Stack>
  );
}

function WhoIAm({ me }: { me: WhoAmI }) {
  const summary = me.role && me.role in ROLE_SUMMARY ? ROLE_SUMMARY[me.role as keyof typeof ROLE_SUMMARY] : null;
  return (
    <Card withBorder component="section" aria-labelledby="who-i-am">
      <Title order={2} size="h3" id="who-i-am">
        {me.name}
      </Title>
      <Text mt={4}>
        {me.kind === 'token' ? 'API token' : 'Role'}: <strong>{me.role ?? 'custom'}</strong>
        {summary && ` — ${summary}`}
      </Text>
      <Text size="sm" c="dimmed" mt="sm" mb={4}>
        May use
      </Text>
      <Group gap={6} role="group" aria-label="Scopes">
        {me.scopes.map((scope) => (
          <Badge key={scope} variant="light" color="gray" tt="none">
            {scope}
          </Badge>
        ))}
      </Group>
    </Card>
  );
}

/** Signing out of every browser at once: after a lost laptop, or a password typed on someone else's computer. */
function Sessions() {
  return (
    <Card withBorder component="section" aria-labelledby="sessions">
      <Title order={2} size="h3" mb={4} id="sessions">
        Sessions
      </Title>
      <Text size="sm" mb="sm">
        Signs you out in every browser, this one included.
      </Text>
      <Group>
        <Button color="red" variant="light" onClick={() => void signOutEverywhere()}>
          Sign out everywhere
        </Button>
      </Group>
    </Card>
  );
}
