import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { call, fleet } from '../../../lib/api-client';

export function eventsQueryOptions(filter: { type?: string; page: number }) {
  const query = { page: filter.page, limit: 50, ...(filter.type ? { type: filter.type } : {}) };
  return queryOptions({
    queryKey: ['events', filter],
    queryFn: () => call(fleet.GET('/api/v1/events', { params: { query } })),
    placeholderData: keepPreviousData,
    refetchInterval: 5000,
  });
}
export const useEvents = (filter: { type?: string; page: number }) => useQuery(eventsQueryOptions(filter));
