import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { call, fleet } from '../../../lib/api-client';

export interface EventFilter {
  type?: string;
  nodeId?: number;
  userId?: number;
  /** RFC 3339 instants. */
  since?: string;
  until?: string;
  page: number;
}

export function eventsQueryOptions(filter: EventFilter) {
  const { page, ...rest } = filter;
  const query = {
    page,
    limit: 50,
    ...Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined && value !== '')),
  };
  return queryOptions({
    queryKey: ['events', filter],
    queryFn: () => call(fleet.GET('/api/v1/events', { params: { query } })),
    placeholderData: keepPreviousData,
    refetchInterval: 5000,
  });
}
export const useEvents = (filter: EventFilter) => useQuery(eventsQueryOptions(filter));
