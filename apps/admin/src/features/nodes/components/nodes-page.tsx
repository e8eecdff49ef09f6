import { useState } from 'react';
import { ConnectionTest, useNodes, useTestConnection } from '../../../lib/queries/nodes';
import { NodeForm } from './node-form';
import { NodesTable } from './nodes-table';

export function NodesPage() {
  const nodes = useNodes();
  const testConnection = useTestConnection();
  const [tests, setTests] = useState<Record<number, ConnectionTest>>({});
  const test = (id: number) =>
    testConnection.mutate(id, { onSuccess: (result) => setTests((current) => ({ ...current, [id]: result })) });
  return (
    <section>
      <h1>Nodes</h1>
      {nodes.isPending ? (
        <p>Loading…</p>
      ) : (
        <NodesTable nodes={nodes.data ?? []} onTest={test} tests={tests} withLinks />
      )}
      <NodeForm />
    </section>
  );
}
