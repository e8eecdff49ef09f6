import { usedPercent, type ConnectionTest, type NodeView } from '@fleet/contract';
import { Anchor, Group, Menu, Progress, Table, Text, VisuallyHidden } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Badge, healthTone, statusTone } from '../../../components/ui/badge';
import { usageColour } from '../../../components/chart-colours';
import { RowActions } from '../../../components/ui/row-actions';

/** Rows of badges over a line of detail read best from the top. */
const TOP_ALIGNED = { th: { verticalAlign: 'top' }, td: { verticalAlign: 'top' } } as const;

/**
 * Every node with status, health, load and last check; "Test connection" lists the panel's inbounds. On a phone only
 * the name, health, load and the actions menu show, so that the table fits the screen.
 */
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
    <Table.ScrollContainer minWidth={0}>
      <Table highlightOnHover verticalSpacing="xs" styles={TOP_ALIGNED}>
        <Table.Caption>Nodes</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Name</Table.Th>
            <Table.Th scope="col" visibleFrom="sm">
              Status
            </Table.Th>
            <Table.Th scope="col">Health</Table.Th>
            <Table.Th scope="col">Load</Table.Th>
            <Table.Th scope="col" visibleFrom="sm">
              Server
            </Table.Th>
            <Table.Th scope="col" visibleFrom="md">
              Last check
            </Table.Th>
            <Table.Th scope="col" visibleFrom="sm">
              Response
            </Table.Th>
            <Table.Th scope="col" visibleFrom="lg">
              Drift
            </Table.Th>
            {onTest && (
              <Table.Th scope="col">
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            )}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {nodes.map((node) => (
            <NodeRow key={node.id} node={node} withLink={withLinks} test={tests?.[node.id]} onTest={onTest} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The panel's CPU and memory as reported at the last check, as small bars (a dash before any report). */
function ServerBars({ node }: { node: NodeView }) {
  const figures = node.server;
  if (!figures) return <Text c="dimmed">—</Text>;
  return (
    <>
      <UsageBar label="CPU" name={node.name} percent={figures.cpuPercent} />
      <UsageBar label="RAM" name={node.name} percent={usedPercent(figures.memory)} />
    </>
  );
}

function UsageBar({ label, name, percent }: { label: string; name: string; percent: number | null }) {
  const color = usageColour(percent);
  return (
    <Group gap={6} wrap="nowrap">
      <Text size="xs" w={30}>
        {label}
      </Text>
      <Progress value={percent ?? 0} color={color} w={64} size="sm" aria-label={`${name} ${label}`} />
      <Text size="xs" c="dimmed">
        {percent === null ? '—' : `${Math.round(percent)} %`}
      </Text>
    </Group>
  );
}

function NodeRow({
  node,
  withLink,
  test,
  onTest,
}: {
  node: NodeView;
  withLink: boolean;
  test?: ConnectionTest;
  onTest?: (id: number) => void;
}) {
  const percent = Math.round(node.loadRatio * 100);
  return (
    <Table.Tr>
      <Table.Th scope="row">
        {withLink ? (
          <Anchor component={Link} to={`/nodes/${node.id}`}>
            {node.name}
          </Anchor>
        ) : (
          node.name
        )}
        {node.location && <Detail>{node.location}</Detail>}
        {test && <ConnectionTestResult test={test} />}
      </Table.Th>
      <Table.Td visibleFrom="sm">
        <Badge tone={statusTone(node.status)}>{node.status}</Badge>
        <Detail>{node.eligible ? 'takes users' : `no new users: ${node.ineligibleReason}`}</Detail>
      </Table.Td>
      <Table.Td>
        <Badge tone={healthTone(node.healthStatus)}>{node.healthStatus}</Badge>
        {node.lastError && <Detail>{node.lastError}</Detail>}
      </Table.Td>
      <Table.Td>
        <meter
          min={0}
          max={node.maxUsers}
          value={node.currentUsers}
          aria-label={`${node.name} load`}
          style={{ width: '100%', maxWidth: '5rem' }}
        />
        <div>
          {percent} %{' '}
          <Text span size="sm" c="dimmed">
            {node.currentUsers} / {node.maxUsers} users
          </Text>
        </div>
      </Table.Td>
      <Table.Td visibleFrom="sm">
        <ServerBars node={node} />
      </Table.Td>
      <Table.Td visibleFrom="md">
        {node.lastHealthCheck ? new Date(node.lastHealthCheck).toLocaleTimeString() : 'never'}
      </Table.Td>
      <Table.Td visibleFrom="sm">{node.responseTimeMs === null ? '—' : `${node.responseTimeMs} ms`}</Table.Td>
      <Table.Td visibleFrom="lg">{driftText(node.drift)}</Table.Td>
      {onTest && (
        <Table.Td>
          <NodeActions node={node} onTest={onTest} />
        </Table.Td>
      )}
    </Table.Tr>
  );
}

function NodeActions({ node, onTest }: { node: NodeView; onTest: (id: number) => void }) {
  return (
    <RowActions name={node.name}>
      <Menu.Item onClick={() => onTest(node.id)}>Test connection</Menu.Item>
    </RowActions>
  );
}

function ConnectionTestResult({ test }: { test: ConnectionTest }) {
  return (
    <Detail role="status">
      {test.ok
        ? `OK in ${test.responseTimeMs} ms; inbounds: ${test.inbounds.map((i) => `#${i.id} ${i.protocol}:${i.port}`).join(', ')}`
        : `Failed: ${test.error}`}
    </Detail>
  );
}

/** A cell's second line, dimmed; it may break anywhere (addresses, errors) so that the table fits a phone's width. */
function Detail({ children, role }: { children: ReactNode; role?: string }) {
  return (
    <Text size="sm" c="dimmed" fw={400} role={role} style={{ overflowWrap: 'anywhere' }}>
      {children}
    </Text>
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
