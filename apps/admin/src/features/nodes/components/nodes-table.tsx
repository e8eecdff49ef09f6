import type { ConnectionTest, NodeView } from '@fleet/contract';
import { Link } from 'react-router';
import { Badge, healthTone, statusTone } from '../../../components/ui/badge';

/** Every node with status, health, load and last check; "Test connection" lists the panel's inbounds. */
export function NodesTable({
  nodes,
  onTest,
  tests,
  withLinks = false,
}: {
  nodes: NodeView[];
  withLinks?: boolean;
  onTest?: (id: number) => void;
  tests?: Record<number, ConnectionTest | undefined>;
}) {
  if (!nodes.length) return <p>No nodes yet: add the first panel with Add node.</p>;
  return (
    <div className="table-wrap">
      <table>
        <caption>Nodes</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Health</th>
            <th scope="col">Load</th>
            <th scope="col">Last check</th>
            <th scope="col">Response</th>
            <th scope="col">Drift</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((node) => {
            const percent = Math.round(node.loadRatio * 100);
            const test = tests?.[node.id];
            return (
              <tr key={node.id}>
                <th scope="row">
                  {withLinks ? <Link to={`/nodes/${node.id}`}>{node.name}</Link> : node.name}
                  {node.location && <div className="muted">{node.location}</div>}
                </th>
                <td>
                  <Badge tone={statusTone(node.status)}>{node.status}</Badge>
                  <div className="muted">
                    {node.eligible ? 'takes users' : `no new users: ${node.ineligibleReason}`}
                  </div>
                </td>
                <td>
                  <Badge tone={healthTone(node.healthStatus)}>{node.healthStatus}</Badge>
                  {node.lastError && <div className="muted">{node.lastError}</div>}
                </td>
                <td>
                  <meter min={0} max={node.maxUsers} value={node.currentUsers} aria-label={`${node.name} load`} />
                  <div>
                    {percent} %{' '}
                    <span className="muted">
                      {node.currentUsers} / {node.maxUsers} users
                    </span>
                  </div>
                </td>
                <td>{node.lastHealthCheck ? new Date(node.lastHealthCheck).toLocaleTimeString() : 'never'}</td>
                <td>{node.responseTimeMs === null ? '—' : `${node.responseTimeMs} ms`}</td>
                <td>{driftText(node.drift)}</td>
                <td>
                  {onTest && (
                    <button type="button" onClick={() => onTest(node.id)}>
                      Test connection
                    </button>
                  )}
                  {test && (
                    <div role="status">
                      {test.ok
                        ? `OK in ${test.responseTimeMs} ms; inbounds: ${test.inbounds.map((i) => `#${i.id} ${i.protocol}:${i.port}`).join(', ')}`
                        : `Failed: ${test.error}`}
                    </div>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The last reconcile in a few words: what still differs after it. */
export function driftText(drift: NodeView['drift']): string {
  if (!drift) return 'not checked';
  const parts = (['missing', 'changed', 'extra'] as const)
    .filter((kind) => drift[kind])
    .map((kind) => `${drift[kind]} ${kind}`);
  if (drift.inbound.length) parts.unshift(`inbound ${drift.inbound.join(', ')}`);
  return parts.length ? parts.join(', ') : 'none';
}
