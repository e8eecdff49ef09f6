import { useQuery } from '@tanstack/react-query';
import { call, fleet } from '../api-client';

/** What needs an operator now (every page shows it): polled every 15 s, a few hundred bytes. */
export const useAttention = () =>
  useQuery({
    queryKey: ['attention'],
    queryFn: () => call(fleet.GET('/api/v1/stats/attention')),
    refetchInterval: 15_000,
  });
