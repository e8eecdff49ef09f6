import { Button, Stack, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { EventSentence } from '../../../components/event-sentence';
import { call, fleet } from '../../../lib/api-client';
import { useNodes } from '../../../lib/queries/nodes';

const SHOWN = 10;

/** The user's moves and access changes, newest first (their events), ten at a time. */
export function UserHistory({ userId }: { userId: number }) {
  const [limit, setLimit] = useState(SHOWN);
  const events = useQuery({
    queryKey: ['users', userId, 'history', limit],
    queryFn: () => call(fleet.GET('/api/v1/events', { params: { query: { userId, limit } } })),
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
  const names = new Map((useNodes().data ?? []).map((node) => [node.id, node.name]));
  const items = events.data?.items ?? [];
  return (
    <section aria-label="History">
      <Title order={2} mt="lg" mb="xs">
        History
      </Title>
      {events.error && <Text c="red">{events.error.message}</Text>}
      {events.data && !items.length && <Text c="dimmed">Nothing yet.</Text>}
      <Stack gap={4}>
        {items.map((event) => (
          <Text key={event.id} size="sm">
            <time dateTime={event.createdAt}>{new Date(event.createdAt).toLocaleString()}</time> ·{' '}
            <EventSentence event={{ ...event, userId: null }} nodeName={(id) => names.get(id) ?? `node ${id}`} />{' '}
            <Text span c="dimmed" size="xs">
              {event.actor}
            </Text>
          </Text>
        ))}
      </Stack>
      {(events.data?.total ?? 0) > items.length && (
        <Button
          variant="subtle"
          size="xs"
          mt="xs"
          onClick={() => setLimit((shown) => Math.min(100, shown + SHOWN * 2))}
        >
          Show more
        </Button>
      )}
    </section>
  );
}
