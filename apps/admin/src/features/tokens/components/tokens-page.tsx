import { Group, Skeleton, Stack, Text, Title } from '@mantine/core';
import { LoadError } from '../../../components/ui/load-error';
import { useTokens } from '../api/tokens';
import { NewTokenButton } from './new-token';
import { TokensTable } from './tokens-table';

/** API tokens (the Telegram bot's, scripts'): make one from a preset or scope by scope, revoke one. */
export function TokensPage() {
  const tokens = useTokens();
  return (
    <section>
      <Group justify="space-between" mb="xs">
        <Title order={1}>API tokens</Title>
        <NewTokenButton />
      </Group>
      <Text size="sm" c="dimmed" mb="sm">
        Credentials for programs such as the Telegram bot. Each may do only what its scopes allow.
      </Text>
      {tokens.error ? (
        <LoadError title="The tokens could not be loaded" error={tokens.error} onRetry={() => void tokens.refetch()} />
      ) : tokens.isPending ? (
        <Stack gap="xs" aria-busy="true" aria-label="Loading">
          <Skeleton h={32} />
          <Skeleton h={32} />
        </Stack>
      ) : (
        <TokensTable tokens={tokens.data} />
      )}
    </section>
  );
}
