import { Card, Skeleton, Stack, Text, Title } from '@mantine/core';
import { flagOf } from '@fleet/contract';
import { Copyable } from '../../../components/ui/copyable';
import { LoadError } from '../../../components/ui/load-error';
import { useUserKeys } from '../api/user';

/** What support hands the user: the subscription URL (its QR code shown) and each server's share link. */
export function UserSupport({ userId }: { userId: number }) {
  const keys = useUserKeys(userId);
  return (
    <Card withBorder component="section" aria-label="Connect">
      <Title order={2} size="h3" mb="sm">
        Connect
      </Title>
      {keys.isPending ? (
        <Stack gap="sm" aria-busy="true">
          <Skeleton h={56} />
          <Skeleton h={176} w={176} />
        </Stack>
      ) : keys.error ? (
        <LoadError title="The keys could not be loaded" error={keys.error} onRetry={() => void keys.refetch()} />
      ) : (
        <Stack gap="md">
          <Copyable label="Subscription URL" value={keys.data.subscriptionUrl} qrShown />
          {keys.data.keys.map((server) => (
            <Copyable
              key={server.group.id}
              label={`${server.group.countryCode ? `${flagOf(server.group.countryCode)} ` : ''}${server.group.name} · ${server.node.name}`}
              value={server.key}
            />
          ))}
          {!keys.data.keys.length && (
            <Text size="sm" c="dimmed">
              No server yet: the subscription lists one as soon as a seat is free.
            </Text>
          )}
        </Stack>
      )}
    </Card>
  );
}
