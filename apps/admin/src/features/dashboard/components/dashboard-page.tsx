import { Anchor, SimpleGrid, Skeleton, Table } from '@mantine/core';
import { Link } from 'react-router';
import { LoadError } from '../../../components/ui/load-error';
import { useMemo } from 'react';
import { formatBytes, useTopUsers } from '../../../lib/queries/usage';
import {
  MAX_BARS,
  toLoadBars,
  toResponseSeries,
  useFleetSummary,
  useLatestEvents,
  useLoads,
  useRecentHealth,
} from '../api/fleet';
import { useGroups } from '../../../lib/queries/groups';
import { LoadChart } from './load-chart';
import { ResponseChart } from './response-chart';
import { EventSentence } from '../../../components/event-sentence';

/** The users who moved the most bytes in the last 24 hours. */
function TopUsers() {
  const top = useTopUsers().data ?? [];
  if (!top.length) return null;
  return (
    <Table.ScrollContainer minWidth={0} mt="sm">
      <Table aria-label="Top users, last 24 h">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>User</Table.Th>
            <Table.Th>Telegram id</Table.Th>
            <Table.Th>Traffic</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {top.map((user) => (
            <Table.Tr key={user.userId}>
              <Table.Td>
                <Anchor component={Link} to={`/users/${user.userId}`}>
                  {user.username ?? `User ${user.userId}`}
                </Anchor>
              </Table.Td>
              <Table.Td>{user.telegramId ?? '—'}</Table.Td>
              <Table.Td>{formatBytes(user.up + user.down)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function DashboardPage() {
  const overview = useFleetSummary();
  const summary = overview.data;
  const loads = useLoads().data;
  const recent = useRecentHealth().data;
  const events = useLatestEvents().data?.items ?? [];
  const groups = useGroups().data;
  const bars = useMemo(() => toLoadBars(loads ?? [], groups), [loads, groups]);
  const names = useMemo(() => new Map((loads ?? []).map((node) => [node.nodeId, node.name])), [loads]);
  const responseTimes = useMemo(() => toResponseSeries(recent, names), [recent, names]);
  return (
    <section>
      <h1>Fleet</h1>
      {overview.error && !summary && (
        <LoadError
          title="The fleet's figures could not be loaded"
          error={overview.error}
          onRetry={() => void overview.refetch()}
        />
      )}
      {overview.isPending && (
        <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} aria-busy="true" aria-label="Loading">
          {Array.from({ length: 6 }, (_, i) => (
            <Skeleton key={i} h={72} />
          ))}
        </SimpleGrid>
      )}
      {summary && (
        <dl className="cards">
          <div>
            <dt>
              <Link to="/nodes?health=healthy">Healthy nodes</Link>
            </dt>
            <dd>{summary.healthy}</dd>
          </div>
          <div>
            <dt>
              <Link to="/nodes?health=unhealthy">Unhealthy nodes</Link>
            </dt>
            <dd>{summary.unhealthy}</dd>
          </div>
          <div>
            <dt>
              <Link to="/nodes?status=maintenance">In maintenance</Link>
            </dt>
            <dd>{summary.maintenance}</dd>
          </div>
          <div>
            <dt>
              <Link to="/users">Users</Link>
            </dt>
            <dd>{summary.users}</dd>
          </div>
          <div>
            <dt>Free capacity</dt>
            <dd>{summary.freeCapacity}</dd>
          </div>
          <div>
            <dt>
              <Link to="/users">Servers waiting for capacity</Link>
            </dt>
            <dd>{summary.seatsWaiting}</dd>
          </div>
        </dl>
      )}
      {summary && (
        <>
          <h2>Access</h2>
          <dl className="cards">
            {(['active', 'on_hold', 'disabled', 'expired', 'limited'] as const).map((status) => (
              <div key={status}>
                <dt>
                  <Link to={`/users?status=${status}`}>{status.replace('_', ' ')}</Link>
                </dt>
                <dd>{summary.access[status]}</dd>
              </div>
            ))}
            <div>
              <dt>Expiring within 72 h</dt>
              <dd>{summary.access.expiringSoon}</dd>
            </div>
          </dl>
        </>
      )}
      {summary && (
        <>
          <h2>Traffic, last 24 h</h2>
          <dl className="cards">
            <div>
              <dt>Upload</dt>
              <dd>{formatBytes(summary.traffic.up)}</dd>
            </div>
            <div>
              <dt>Download</dt>
              <dd>{formatBytes(summary.traffic.down)}</dd>
            </div>
          </dl>
          <TopUsers />
        </>
      )}
      <h2>Load</h2>
      {loads && loads.length > MAX_BARS && (
        <p className="muted">
          The {MAX_BARS} busiest of {loads.length} nodes; <Link to="/nodes">all nodes</Link>.
        </p>
      )}
      <LoadChart bars={bars} />
      <h2>Response time</h2>
      <ResponseChart series={responseTimes.rows} names={responseTimes.lines} />
      <h2>Latest events</h2>
      <ul className="events">
        {events.map((event) => (
          <li key={event.id}>
            <time dateTime={event.createdAt}>{new Date(event.createdAt).toLocaleTimeString()}</time>{' '}
            <EventSentence event={event} nodeName={(id) => names.get(id) ?? `node ${id}`} />{' '}
            <span className="muted">{event.actor}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
