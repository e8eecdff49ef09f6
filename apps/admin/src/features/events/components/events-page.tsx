import { useState } from 'react';
import { EventType } from '@fleet/contract';
import { Pager } from '../../../components/pager';
import { useEvents } from '../api/events';

/** The audit and alert log, filterable by type. */
export function EventsPage() {
  const [type, setType] = useState('');
  const [page, setPage] = useState(1);
  const events = useEvents({ type: type || undefined, page });
  return (
    <section>
      <h1>Events</h1>
      <label>
        Type{' '}
        <select value={type} onChange={(e) => (setType(e.target.value), setPage(1))}>
          <option value="">all</option>
          {Object.values(EventType).map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
      </label>
      <div className="table-wrap">
        <table>
          <caption>
            {events.data ? `${events.data.totalEstimated ? 'about ' : ''}${events.data.total} events` : 'Events'}
          </caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Type</th>
              <th scope="col">By</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {(events.data?.items ?? []).map((event) => (
              <tr key={event.id}>
                <td>
                  <time dateTime={event.createdAt}>{new Date(event.createdAt).toLocaleString()}</time>
                </td>
                <td>{event.type}</td>
                <td>{event.actor}</td>
                <td>
                  <code>{JSON.stringify(event.payload)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager page={page} total={events.data?.total ?? 0} limit={events.data?.limit ?? 50} onPage={setPage} />
    </section>
  );
}
