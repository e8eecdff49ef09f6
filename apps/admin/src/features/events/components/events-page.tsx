import { Group, Select, Table, TextInput, Title } from '@mantine/core';
import { EventType } from '@fleet/contract';
import { DateTimePicker } from '@mantine/dates';
import dayjs from 'dayjs';
import { useState } from 'react';
import { Pager } from '../../../components/pager';
import { useNodes } from '../../../lib/queries/nodes';
import { useEvents } from '../api/events';
import { EventSentence } from '../../../components/event-sentence';

/** A picked date-time (the operator's local time, 'YYYY-MM-DD HH:mm:ss') as an instant, or nothing. */
const instant = (local: string | null) => (local ? dayjs(local).toDate().toISOString() : undefined);

/** One end of the time window, in the operator's time zone; empty is open-ended. */
function TimeBound(props: { label: string; value: string | null; onChange: (value: string | null) => void }) {
  return (
    <DateTimePicker
      label={props.label}
      placeholder="any time"
      clearable
      valueFormat="YYYY-MM-DD HH:mm"
      timePickerProps={{ hoursInputLabel: 'Hours', minutesInputLabel: 'Minutes' }}
      value={props.value}
      onChange={props.onChange}
      miw={180}
    />
  );
}

/** The audit and alert log in words, filtered by type, node, user and a time window. */
export function EventsPage() {
  const [type, setType] = useState<string | null>(null);
  const [nodeId, setNodeId] = useState<string | null>(null);
  const [userId, setUserId] = useState('');
  const [since, setSince] = useState<string | null>(null);
  const [until, setUntil] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const nodes = useNodes().data ?? [];
  const names = new Map(nodes.map((node) => [node.id, node.name]));
  const validUser = /^[1-9]\d{0,9}$/.test(userId.trim());
  const events = useEvents({
    type: type ?? undefined,
    nodeId: nodeId ? Number(nodeId) : undefined,
    userId: validUser ? Number(userId.trim()) : undefined,
    since: instant(since),
    until: instant(until),
    page,
  });
  const refilter =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      setPage(1);
    };
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <section>
      <Title order={1} mb="sm">
        Events
      </Title>
      <Group gap="sm" align="flex-end" mb="sm" role="search">
        <Select
          label="Type"
          placeholder="all"
          clearable
          searchable
          data={Object.values(EventType)}
          value={type}
          onChange={refilter(setType)}
        />
        <Select
          label="Node"
          placeholder="all nodes"
          clearable
          searchable
          data={nodes.map((node) => ({ value: String(node.id), label: node.name }))}
          value={nodeId}
          onChange={refilter(setNodeId)}
        />
        <TextInput
          label="User id"
          value={userId}
          onChange={(event) => refilter(setUserId)(event.currentTarget.value)}
          error={userId && !validUser ? 'a user id is a number' : undefined}
          w={120}
        />
        <TimeBound label={`From (${zone})`} value={since} onChange={refilter(setSince)} />
        <TimeBound label={`Until (${zone})`} value={until} onChange={refilter(setUntil)} />
      </Group>
      <Table.ScrollContainer minWidth={0}>
        <Table striped verticalSpacing="xs">
          <Table.Caption>
            {events.data ? `${events.data.totalEstimated ? 'about ' : ''}${events.data.total} events` : 'Events'}
          </Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>What</Table.Th>
              <Table.Th visibleFrom="sm">By</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(events.data?.items ?? []).map((event) => (
              <Table.Tr key={event.id}>
                <Table.Td>
                  <time dateTime={event.createdAt}>{new Date(event.createdAt).toLocaleString()}</time>
                </Table.Td>
                <Table.Td>
                  <EventSentence event={event} nodeName={(id) => names.get(id) ?? `node ${id}`} />
                </Table.Td>
                <Table.Td visibleFrom="sm">{event.actor}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Pager page={page} total={events.data?.total ?? 0} limit={events.data?.limit ?? 50} onPage={setPage} />
    </section>
  );
}
