import { Alert, Anchor, Group, Text } from '@mantine/core';
import type { AttentionView } from '@fleet/contract';
import { useEffect } from 'react';
import { Link } from 'react-router';
import { useAttention } from '../../lib/queries/attention';

type Counted = Exclude<keyof AttentionView, 'total'>;

/** Each count as words, and the list where it is looked into. */
const ITEMS: Array<{ key: Counted; words: (n: number) => string; to: string }> = [
  { key: 'nodesDown', words: (n) => `${n} node${n === 1 ? '' : 's'} down`, to: '/nodes?health=unhealthy' },
  { key: 'failoversStalled', words: (n) => `${n} failover${n === 1 ? '' : 's'} stalled`, to: '/rebalance' },
  { key: 'jobsFailed', words: (n) => `${n} job${n === 1 ? '' : 's'} failed (24 h)`, to: '/rebalance' },
  { key: 'nodesWithDrift', words: (n) => `${n} node${n === 1 ? '' : 's'} with drift`, to: '/nodes' },
  { key: 'seatsWaiting', words: (n) => `${n} server${n === 1 ? '' : 's'} waiting for capacity`, to: '/users' },
  { key: 'usersExpiringSoon', words: (n) => `${n} user${n === 1 ? '' : 's'} expiring soon`, to: '/users' },
];

const TITLE = 'VPN fleet';

/** Above every page: what needs looking at, each count a link; the browser tab shows the total. */
export function AttentionStrip() {
  const attention = useAttention();
  const total = attention.data?.total ?? 0;
  useEffect(() => {
    document.title = total ? `(${total}) ${TITLE}` : TITLE;
  }, [total]);
  if (attention.error) {
    return (
      <Alert color="red" role="alert" mb="md" title="The control plane does not answer">
        <Text size="sm">
          {attention.error.message}: figures on this page may be out of date. This retries by itself.
        </Text>
      </Alert>
    );
  }
  if (!attention.data || !total) return null;
  const shown = ITEMS.filter(({ key }) => attention.data[key] > 0);
  return (
    <Alert color="orange" mb="md" role="status" aria-label="Needs attention" py="xs">
      <Group gap="lg" wrap="wrap">
        {shown.map(({ key, words, to }) => (
          <Anchor key={key} component={Link} to={to} size="sm" fw={500}>
            {words(attention.data[key])}
          </Anchor>
        ))}
      </Group>
    </Alert>
  );
}

/** The total beside the navbar's Dashboard link. */
export function useAttentionTotal(): number {
  return useAttention().data?.total ?? 0;
}
