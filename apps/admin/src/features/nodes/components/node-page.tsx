import { Alert, Anchor, Skeleton, Stack, Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import type { NodeView } from '@fleet/contract';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { NotFound } from '../../../app/shell/page-states';
import { JobProgress } from '../../../components/job-progress';
import { LoadError } from '../../../components/ui/load-error';
import { ApiError } from '../../../lib/api-client';
import { useJob, useJobs } from '../../../lib/queries/jobs';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Badge, healthTone, statusTone } from '../../../components/ui/badge';
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
  const query = useNode(id);
  const node = query.data;
  const history = useHealthHistory(id).data ?? [];
  const check = useNodeAction(checkNow);
  const drain = useNodeAction(drainNode);
  const maintenance = useNodeAction(setNodeStatus('maintenance'));
  const activate = useNodeAction(setNodeStatus('active'));
  const remove = useNodeAction(deleteNode);
  const [inboundId, setInboundId] = useState<number | undefined>();
  const [startedJob, setStartedJob] = useState<number | null>(null);
  const job = useJob(startedJob).data;
  const test = useTestConnection();
  const navigate = useNavigate();
  if (query.error instanceof ApiError && query.error.status === 404) return <NotFound what="node" />;
  if (query.error) {
    return <LoadError title="The node could not be loaded" error={query.error} onRetry={() => void query.refetch()} />;
  }
  if (!node) {
    return (
      <Stack aria-busy="true" aria-label="Loading">
        <Skeleton h={36} w="40%" />
        <Skeleton h={200} />
      </Stack>
    );
  }
  const users = `${node.currentUsers} user${node.currentUsers === 1 ? '' : 's'}`;
  const confirmDrain = () =>
    modals.openConfirmModal({
      title: `Drain ${node.name}?`,
      children: (
        <Text size="sm">
          It goes into maintenance (no new users) and {node.currentUsers ? `its ${users} move` : 'nobody moves'} to
          other nodes of its group.
        </Text>
      ),
      labels: { confirm: 'Drain', cancel: 'Cancel' },
      onConfirm: () => drain.mutate(id, { onSuccess: (started) => setStartedJob(started.jobId ?? null) }),
    });
  const confirmDelete = () =>
    modals.openConfirmModal({
      title: `Delete ${node.name}?`,
      children: (
        <Text size="sm">
          {node.currentUsers ? `Its ${users} will be moved to other nodes first.` : 'It has no users.'} This cannot be
          undone.
        </Text>
      ),
      labels: { confirm: 'Delete', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: () => remove.mutate(id, { onSuccess: () => void navigate('/nodes') }),
    });
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
        <button type="button" onClick={confirmDrain}>
          Drain (move users away)…
        </button>
        <button type="button" onClick={confirmDelete}>
          Delete…
        </button>
      </div>
      {job && <JobProgress job={job} />}
      {failure && <p role="alert">{failure.message}</p>}
      <NodeFate node={node} />
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

/**
 * What became of the node's users when it fell (its failover job, most recent first), and, for a node that serves
 * again with nobody on it, the way to bring users back.
 */
function NodeFate({ node }: { node: NodeView }) {
  const failover = (useJobs().data?.items ?? []).find((job) => job.kind === 'failover' && job.nodeId === node.id);
  const empty = node.status === 'active' && node.healthStatus === 'healthy' && node.currentUsers === 0;
  return (
    <>
      {failover && (
        <Alert color={failover.status === 'completed' ? 'teal' : 'orange'} title="Failover" mb="sm">
          <JobProgress job={failover} />
          <Text size="sm">
            Its users were moved to the other nodes of its group (
            <Anchor component={Link} to="/events">
              events
            </Anchor>{' '}
            name each move).
          </Text>
        </Alert>
      )}
      {empty && failover && (
        <Alert color="blue" mb="sm">
          This node serves again and has no users:{' '}
          <Anchor component={Link} to="/rebalance">
            a rebalance
          </Anchor>{' '}
          spreads users back onto it.
        </Alert>
      )}
    </>
  );
}
