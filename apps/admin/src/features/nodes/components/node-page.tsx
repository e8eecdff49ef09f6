import { LineChart } from '@mantine/charts';
import { Alert, Anchor, Button, Group, Paper, Progress, SimpleGrid, Skeleton, Stack, Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { usedPercent } from '@fleet/contract';
import type { NodeServerFigures, NodeView } from '@fleet/contract';
import { useState, type ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';
import { NotFound } from '../../../app/shell/page-states';
import { JobProgress } from '../../../components/job-progress';
import { LoadError } from '../../../components/ui/load-error';
import { ApiError } from '../../../lib/api-client';
import { useJob, useJobs } from '../../../lib/queries/jobs';
import { useCan } from '../../../lib/queries/me';
import { Badge, healthTone, statusTone } from '../../../components/ui/badge';
import {
  checkNow,
  deleteNode,
  drainNode,
  setNodeStatus,
  useHealthHistory,
  useNode,
  useNodeAction,
} from '../../../lib/queries/nodes';
import { UsageChart } from '../../../components/usage-chart';
import { usageColour } from '../../../components/chart-colours';
import { formatBytes, useNodeUsage } from '../../../lib/queries/usage';
import { NodeDrift } from './node-drift';
import { EditNodeButton } from './node-wizard';

/** One node: state, server figures, health history, its users, and the actions (check, maintenance, drain, delete). */
export function NodePage({ id }: { id: number }) {
  const query = useNode(id);
  const node = query.data;
  const history = useHealthHistory(id).data ?? [];
  const check = useNodeAction(checkNow);
  const drain = useNodeAction(drainNode);
  const maintenance = useNodeAction(setNodeStatus('maintenance'));
  const activate = useNodeAction(setNodeStatus('active'));
  const remove = useNodeAction(deleteNode);
  const [startedJob, setStartedJob] = useState<number | null>(null);
  const job = useJob(startedJob).data;
  const navigate = useNavigate();
  const canWrite = useCan('nodes:write');
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
        <Alert color="orange" role="note" mb="sm">
          No inbound chosen: Edit, test the connection, pick the inbound users should be added to, and save.
        </Alert>
      )}
      {canWrite && (
        <Group gap="xs" mb="sm">
          <EditNodeButton node={node} />
          <Button variant="default" onClick={() => check.mutate(id)} loading={check.isPending}>
            Check now
          </Button>
          {node.status === 'active' ? (
            <Button variant="default" onClick={() => maintenance.mutate(id)}>
              Maintenance
            </Button>
          ) : (
            <Button variant="default" onClick={() => activate.mutate(id)}>
              Activate
            </Button>
          )}
          <Button variant="default" onClick={confirmDrain}>
            Drain (move users away)…
          </Button>
          <Button variant="light" color="red" onClick={confirmDelete}>
            Delete…
          </Button>
        </Group>
      )}
      {job && <JobProgress job={job} />}
      {failure && (
        <Alert color="red" role="alert" mb="sm">
          {failure.message}
        </Alert>
      )}
      <NodeFate node={node} />
      <NodeServer node={node} />
      <h2>Response time</h2>
      <figure className="chart" aria-label={`${node.name} response time`}>
        <LineChart
          h={200}
          data={history}
          dataKey="time"
          series={[{ name: 'responseTimeMs', label: 'response (ms)', color: 'blue.6' }]}
          unit=" ms"
          curveType="monotone"
          withDots={false}
          connectNulls={false}
          tooltipAnimationDuration={0}
        />
        <figcaption>
          {history.length} checks, {history.filter((row) => !row.ok).length} failed (gaps in the line)
        </figcaption>
      </figure>
      <NodeLoadCharts id={id} name={node.name} />
      <NodeDrift id={id} />
      <NodeTraffic id={id} name={node.name} />
    </section>
  );
}

/** The node's server as its panel last reported it: bars for CPU, memory and disk, the rest as small figures. */
function NodeServer({ node }: { node: NodeView }) {
  const server = node.server;
  if (!server) {
    return (
      <>
        <h2>Server</h2>
        <Text size="sm" c="dimmed" mb="sm">
          No figures yet: the first check that reaches the panel reads them.
        </Text>
      </>
    );
  }
  const readAt = new Date(server.at).toLocaleString();
  const stale = node.lastHealthCheck !== null && Date.parse(server.at) < Date.parse(node.lastHealthCheck);
  return (
    <>
      <h2>Server</h2>
      <Text size="sm" c="dimmed" mb="xs">
        {stale ? `As of ${readAt}: the last check could not read the panel.` : `Read at ${readAt}.`}
      </Text>
      <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="xs" mb="xs">
        <Bar label="CPU" percent={server.cpuPercent} detail={null} />
        <Bar label="Memory" percent={usedPercent(server.memory)} detail={usedOfTotal(server.memory)} />
        <Bar label="Disk" percent={usedPercent(server.disk)} detail={usedOfTotal(server.disk)} />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 2, xs: 3, md: 6 }} spacing="xs" mb="sm">
        <Figure label="Xray">{xrayOf(server)}</Figure>
        <Figure label="Uptime">{server.uptimeSeconds === null ? '—' : formatUptime(server.uptimeSeconds)}</Figure>
        <Figure label="Load 1 · 5 · 15 min">{server.load?.map((load) => load.toFixed(2)).join(' · ') ?? '—'}</Figure>
        <Figure label="Network">
          ↑ {rate(server.net.upBytesPerSecond)} ↓ {rate(server.net.downBytesPerSecond)}
        </Figure>
        <Figure label="Connections">
          TCP {server.tcpConnections ?? '—'} · UDP {server.udpConnections ?? '—'}
        </Figure>
        <Figure label="Online">{server.onlineClients === null ? '—' : `${server.onlineClients} clients`}</Figure>
      </SimpleGrid>
    </>
  );
}

/** A percent as a bar (coloured as in the nodes table) with what it is of, or "not reported". */
function Bar({ label, percent, detail }: { label: string; percent: number | null; detail: string | null }) {
  const color = usageColour(percent);
  return (
    <Paper withBorder p="xs">
      <Group justify="space-between" gap={4}>
        <Text size="xs" c="dimmed">
          {label}
        </Text>
        <Text size="sm" fw={500}>
          {percent === null ? 'not reported' : `${percent} %`}
        </Text>
      </Group>
      {percent !== null && <Progress aria-label={label} value={percent} color={color} size="sm" my={4} />}
      {detail && (
        <Text size="xs" c="dimmed">
          {detail}
        </Text>
      )}
    </Paper>
  );
}

function Figure({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Paper withBorder p="xs" role="group" aria-label={label}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" fw={500}>
        {children}
      </Text>
    </Paper>
  );
}

function usedOfTotal({ used, total }: { used: number | null; total: number | null }): string | null {
  return used === null || total === null ? null : `${formatBytes(used)} of ${formatBytes(total)}`;
}

function xrayOf({ xray }: NodeServerFigures): ReactNode {
  if (xray.state === null) return '—';
  return (
    <>
      <Badge tone={xray.state === 'running' ? 'good' : 'bad'}>{xray.state}</Badge> {xray.version ?? ''}
    </>
  );
}

const rate = (bytesPerSecond: number | null) => (bytesPerSecond === null ? '—' : `${formatBytes(bytesPerSecond)}/s`);

function formatUptime(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days) return `${days} d ${hours} h`;
  return hours ? `${hours} h ${minutes} min` : `${minutes} min`;
}

/** Small charts of the CPU and memory the panel reported at each check (gaps where a check read nothing). */
function NodeLoadCharts({ id, name }: { id: number; name: string }) {
  const history = useHealthHistory(id).data ?? [];
  if (!history.some((row) => row.cpuPercent !== null || row.memoryPercent !== null)) return null;
  const chart = (key: 'cpuPercent' | 'memoryPercent', label: string, color: string) => (
    <figure className="chart" aria-label={`${name} ${label}`}>
      <LineChart
        h={140}
        data={history}
        dataKey="time"
        series={[{ name: key, label: `${label} (%)`, color }]}
        unit=" %"
        yAxisProps={{ domain: [0, 100] }}
        curveType="monotone"
        withDots={false}
        connectNulls={false}
        tooltipAnimationDuration={0}
      />
      <figcaption>{label} at each check</figcaption>
    </figure>
  );
  return (
    <>
      <h2>CPU and memory</h2>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
        {chart('cpuPercent', 'CPU', 'orange.6')}
        {chart('memoryPercent', 'memory', 'grape.6')}
      </SimpleGrid>
    </>
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
