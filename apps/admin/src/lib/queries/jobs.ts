import { queryOptions, useQuery } from '@tanstack/react-query';
import type { JobView } from '@fleet/contract';
import { call, fleet } from '../api-client';

const running = (job?: JobView) => job?.status === 'pending' || job?.status === 'running';

export const jobsQueryOptions = () =>
  queryOptions({
    queryKey: ['jobs'],
    queryFn: () => call(fleet.GET('/api/v1/jobs', { params: { query: { limit: 20 } } })),
    refetchInterval: 2000,
  });
export const useJobs = () => useQuery(jobsQueryOptions());

/** One job, polled every second while it runs. */
export const useJob = (id: number | null) =>
  useQuery({
    queryKey: ['jobs', id],
    queryFn: () => call(fleet.GET('/api/v1/jobs/{id}', { params: { path: { id: id! } } })),
    enabled: id !== null,
    refetchInterval: (query) => (running(query.state.data) ? 1000 : false),
  });
