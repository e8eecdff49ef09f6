import { useState } from 'react';
import { useNavigate } from 'react-router';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Badge, healthTone, statusTone } from '../../../components/ui/badge';
import { Confirm } from '../../../components/ui/confirm';
import {
  checkNow,
  deleteNode,
  drainNode,
  setNodeStatus,
  useHealthHistory,
  useNode,
  useNodeAction,
  useTestConnection,
} from '../../../lib/queries/nodes';
import { UsageChart } from '../../../components/usage-chart';
import { formatBytes, useNodeUsage } from '../../../lib/queries/usage';
import { NodeDrift } from './node-drift';
import { NodeForm } from './node-form';

/** One node: state, health history, its users, and the actions (check, maintenance, drain, delete). */
export function NodePage({ id }: { id: number }) {
  const node = useNode(id).data;
  const history = useHealthHistory(id).data ?? [];
  const check = useNodeAction(checkNow);
  const drain = useNodeAction(drainNode);
  const maintenance = useNodeAction(setNodeStatus('maintenance'));
  const activate = useNodeAction(setNodeStatus('active'));
  const remove = useNodeAction(deleteNode);
  const [confirming, setConfirming] = useState(false);
  const [inboundId, setInboundId] = useState<number | undefined>();
  const test = useTestConnection();
  const navigate = useNavigate();
  if (!node) return <p>Loading…</p>;
  const failure = [check, drain, maintenance, activate, remove].find((action) => action.error)?.error;
  return (
    <section>
      <h1>{node.name}</h1>
      <p>
        <Badge tone={statusTone(node.status)}>{node.status}</Badge>{' '}
        <Badge tone={healthTone(node.healthStatus)}>{node.healthStatus}</Badge> {node.currentUsers} / {node.maxUsers}{' '}
        users · {node.panelUrl}
        {node.lastError && <span className="muted"> · {node.lastError}</span>}
      </p>
      <p>{node.eligible ? 'Takes new users.' : `Takes no new users: ${node.ineligibleReason}.`}</p>
      {node.inboundId === null && (
        <p role="note">
          No inbound chosen: run “Test connection” below, pick the inbound users should be added to, and save.
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={() => check.mutate(id)} disabled={check.isPending}>
          Check now
        </button>
        {node.status === 'active' ? (
          <button type="button" onClick={() => maintenance.mutate(id)}>
            Maintenance
          </button>
        ) : (
          <button type="button" onClick={() => activate.mutate(id)}>
            Activate
          </button>
        )}
        <button type="button" onClick={() => drain.mutate(id)}>
          Drain (move users away)
        </button>
        <button type="button" onClick={() => setConfirming(true)}>
          Delete…
        </button>
      </div>
      {confirming && (
        <Confirm
          id="confirm-delete"
          action="Delete"
          onConfirm={() => remove.mutate(id, { onSuccess: () => navigate('/nodes') })}
          onCancel={() => setConfirming(false)}
        >
          Delete {node.name}?{' '}
          {node.currentUsers
            ? `Its ${node.currentUsers} users will be moved to other nodes first.`
            : 'It has no users.'}
        </Confirm>
      )}
      {failure && <p role="alert">{failure.message}</p>}
      <div className="actions">
        <button type="button" onClick={() => test.mutate(id)} disabled={test.isPending}>
          Test connection
        </button>
        {test.data && !test.data.ok && <span role="alert">{test.data.error}</span>}
        {test.data?.ok &&
          test.data.inbounds.map((inbound) => (
            <button key={inbound.id} type="button" onClick={() => setInboundId(inbound.id)}>
              Use inbound #{inbound.id} ({inbound.protocol}:{inbound.port} {inbound.remark})
            </button>
          ))}
      </div>
      <NodeForm key={node.id} node={node} inboundId={inboundId} />
      <h2>Response time</h2>
      <figure className="chart" aria-label={`${node.name} response time`}>
        <ResponsiveContainer width="100%" height={200}>
          <LineChart data={history}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="time" />
            <YAxis unit=" ms" />
            <Tooltip />
            <Line
              type="monotone"
              dataKey="responseTimeMs"
              name="response (ms)"
              stroke="#3182ce"
              dot={false}
              connectNulls={false}
            />
          </LineChart>
        </ResponsiveContainer>
        <figcaption>
          {history.length} checks, {history.filter((row) => !row.ok).length} failed (gaps in the line)
        </figcaption>
      </figure>
      <NodeDrift id={id} />
      <NodeTraffic id={id} name={node.name} />
    </section>
  );
}

/** Traffic through the node per hour over the last 24 hours. */
function NodeTraffic({ id, name }: { id: number; name: string }) {
  const usage = useNodeUsage(id).data;
  if (!usage) return null;
  return (
    <>
      <h2>Traffic per hour</h2>
      <figure className="chart" aria-label={`${name} traffic per hour`}>
        <UsageChart buckets={usage.buckets} nodeName={() => name} granularity="hour" />
        <figcaption>
          last 24 h: ↑ {formatBytes(usage.total.up)} ↓ {formatBytes(usage.total.down)}
        </figcaption>
      </figure>
    </>
  );
}
