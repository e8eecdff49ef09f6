import { ConnectionTest, HEALTH_STATUSES, NODE_STATUSES } from '@fleet/contract';
import { Group, Select, Skeleton, Stack, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { Pager } from '../../../components/pager';
import { LoadError } from '../../../components/ui/load-error';
import { useCan } from '../../../lib/queries/me';
import { NodeFilters, NODES_PAGE_SIZE, useNodesPage, useTestConnection } from '../../../lib/queries/nodes';
import { AddNodeButton } from './node-wizard';
import { NodesTable } from './nodes-table';

/** A filter of one of a few values, or any (cleared). */
function AnyOf(props: {
  label: string;
  options: readonly string[];
  value: string | undefined;
  onChange: (value: string | undefined) => void;
}) {
  return (
    <Select
      label={props.label}
      placeholder="any"
      clearable
      data={[...props.options]}
      value={props.value ?? null}
      onChange={(value) => props.onChange(value ?? undefined)}
    />
  );
}

export function NodesPage() {
  // A link may name the filters (the dashboard's cards, the attention strip): ?health=unhealthy, ?status=maintenance.
  const [params] = useSearchParams();
  const [filters, setFilters] = useState<NodeFilters>(() => ({
    health: HEALTH_STATUSES.find((value) => value === params.get('health')),
    status: NODE_STATUSES.find((value) => value === params.get('status')),
  }));
  const [page, setPage] = useState(1);
  const nodes = useNodesPage(filters, page);
  const canWrite = useCan('nodes:write');
  const testConnection = useTestConnection();
  const [tests, setTests] = useState<Record<number, ConnectionTest>>({});
  const test = (id: number) =>
    testConnection.mutate(id, { onSuccess: (result) => setTests((current) => ({ ...current, [id]: result })) });
  const filter = (change: NodeFilters) => {
    setFilters((current) => ({ ...current, ...change }));
    setPage(1);
  };
  const filtered = Object.values(filters).some(Boolean);
  return (
    <section>
      <Group justify="space-between" mb="sm">
        <Title order={1}>Nodes</Title>
        {canWrite && <AddNodeButton />}
      </Group>
      <Group gap="sm" align="flex-end" mb="sm" role="search">
        <TextInput
          label="Search"
          type="search"
          value={filters.search ?? ''}
          placeholder="name, location or panel URL"
          onChange={(event) => filter({ search: event.currentTarget.value })}
        />
        <AnyOf
          label="Status"
          options={NODE_STATUSES}
          value={filters.status}
          onChange={(status) => filter({ status })}
        />
        <AnyOf
          label="Health"
          options={HEALTH_STATUSES}
          value={filters.health}
          onChange={(health) => filter({ health })}
        />
      </Group>
      {nodes.error ? (
        <LoadError title="The nodes could not be loaded" error={nodes.error} onRetry={() => void nodes.refetch()} />
      ) : nodes.isPending ? (
        <Stack gap="xs" aria-busy="true" aria-label="Loading">
          <Skeleton h={32} />
          <Skeleton h={32} />
          <Skeleton h={32} />
        </Stack>
      ) : nodes.data && !nodes.data.items.length && filtered ? (
        <p>No node matches.</p>
      ) : (
        <>
          <NodesTable nodes={nodes.data?.items ?? []} onTest={test} tests={tests} withLinks />
          {(nodes.data?.total ?? 0) > NODES_PAGE_SIZE && (
            <Pager page={page} total={nodes.data?.total ?? 0} limit={NODES_PAGE_SIZE} onPage={setPage} />
          )}
        </>
      )}
    </section>
  );
}
