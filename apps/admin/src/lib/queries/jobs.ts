import { queryOptions, useQuery } from '@tanstack/react-query';
import type { JobView } from '@fleet/contract';
import { call, fleet } from '../api-client';

const running = (job?: JobView) => job?.status === 'pending' || job?.status === 'running';

/** The latest jobs: every 2 s while one runs (its progress), every 15 s otherwise (a failover starting). */
export const jobsQueryOptions = () =>
  queryOptions({
    queryKey: ['jobs'],
    queryFn: () => call(fleet.GET('/api/v1/jobs', { params: { query: { limit: 20 } } })),
    refetchInterval: (query) => (query.state.data?.items.some(running) ? 2000 : 15_000),
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
