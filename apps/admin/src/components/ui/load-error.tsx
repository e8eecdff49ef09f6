import { Alert, Button, Text } from '@mantine/core';

/** What a page or part of one shows when its data could not be loaded: what, why, and Retry. */
export function LoadError({ title, error, onRetry }: { title: string; error: Error; onRetry: () => void }) {
  return (
    <Alert color="red" role="alert" title={title}>
      <Text size="sm">{error.message}</Text>
      <Button size="xs" variant="light" color="red" mt="xs" onClick={onRetry}>
        Retry
      </Button>
    </Alert>
  );
}
