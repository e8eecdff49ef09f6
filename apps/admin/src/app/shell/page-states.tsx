import { Alert, Button, Center, Loader, Stack, Text, Title } from '@mantine/core';
import type { WhoAmI } from '@fleet/contract';
import { isRouteErrorResponse, Link, useRouteError } from 'react-router';

export function PageLoading() {
  return (
    <Center mih={200} aria-busy="true">
      <Loader aria-label="Loading" />
    </Center>
  );
}

/** An address that names no page, or a user or node that no longer exists. */
export function NotFound({ what = 'page' }: { what?: string }) {
  return (
    <Stack align="flex-start" gap="sm">
      <Title order={1}>Not found</Title>
      <Text>This {what} does not exist (or no longer does).</Text>
      <Button component={Link} to="/" variant="light">
        Back to the dashboard
      </Button>
    </Stack>
  );
}

/** A page the caller's role does not allow, opened by its address: says whose role and what it may not do. */
export function NotAllowed({ me, doing }: { me: WhoAmI; doing: string }) {
  const who =
    me.kind === 'token' ? `This API token${me.role ? ` (${me.role})` : ''}` : `Your role (${me.role ?? 'none'})`;
  return (
    <Stack align="flex-start" gap="sm">
      <Title order={1}>Not allowed</Title>
      <Text>
        {who} may not {doing}.{me.kind === 'admin' && ' An owner can change your role.'}
      </Text>
      <Button component={Link} to="/" variant="light">
        Back to the dashboard
      </Button>
    </Stack>
  );
}

/** What a page that failed to load or render shows instead of the framework's developer page. */
export function RouteError() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) return <NotFound />;
  return (
    <Alert color="red" title="This page failed to load" role="alert" m="md">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{error instanceof Error ? error.message : 'An unexpected error occurred.'}</Text>
        <Button size="xs" variant="light" color="red" onClick={() => window.location.reload()}>
          Reload
        </Button>
      </Stack>
    </Alert>
  );
}
