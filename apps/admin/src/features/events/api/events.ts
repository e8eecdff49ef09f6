import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { EventView, Page } from '@fleet/contract';
import { api } from '../../../lib/api-client';

export function eventsQueryOptions(filter: { type?: string; page: number }) {
  const query = new URLSearchParams({ page: String(filter.page), limit: '50' });
  if (filter.type) query.set('type', filter.type);
  return queryOptions({
    queryKey: ['events', filter],
    queryFn: () => api<Page<EventView>>(`/events?${query}`),
    placeholderData: keepPreviousData,
    refetchInterval: 5000,
  });
}
export const useEvents = (filter: { type?: string; page: number }) => useQuery(eventsQueryOptions(filter));
