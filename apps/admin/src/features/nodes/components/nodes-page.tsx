import { HEALTH_STATUSES, NODE_STATUSES } from '@fleet/contract';
import { useState } from 'react';
import { Pager } from '../../../components/pager';
import {
  ConnectionTest,
  NodeFilters,
  NODES_PAGE_SIZE,
  useNodesPage,
  useTestConnection,
} from '../../../lib/queries/nodes';
import { NodeForm } from './node-form';
import { NodesTable } from './nodes-table';

export function NodesPage() {
  const [filters, setFilters] = useState<NodeFilters>({});
  const [page, setPage] = useState(1);
  const nodes = useNodesPage(filters, page);
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
      <h1>Nodes</h1>
      <form className="filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <label>
          Search
          <input
            type="search"
            value={filters.search ?? ''}
            placeholder="name, location or panel URL"
            onChange={(event) => filter({ search: event.target.value })}
          />
        </label>
        <label>
          Status
          <select value={filters.status ?? ''} onChange={(event) => filter({ status: event.target.value })}>
            <option value="">any</option>
            {NODE_STATUSES.map((status) => (
              <option key={status}>{status}</option>
            ))}
          </select>
        </label>
        <label>
          Health
          <select value={filters.health ?? ''} onChange={(event) => filter({ health: event.target.value })}>
            <option value="">any</option>
            {HEALTH_STATUSES.map((health) => (
              <option key={health}>{health}</option>
            ))}
          </select>
        </label>
      </form>
      {nodes.isPending ? (
        <p>Loading…</p>
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
      <NodeForm />
    </section>
  );
}
