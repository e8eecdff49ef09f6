import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Page, UserView } from '@fleet/contract';
import { api } from '../../../lib/api-client';

export interface UserFilter {
  search?: string;
  nodeId?: number;
  status?: string;
  page: number;
}

const PAGE_SIZE = 25;

export function usersQueryOptions(filter: UserFilter) {
  const query = new URLSearchParams({ page: String(filter.page), limit: String(PAGE_SIZE) });
  if (filter.search) query.set('search', filter.search);
  if (filter.nodeId) query.set('nodeId', String(filter.nodeId));
  if (filter.status) query.set('status', filter.status);
  return queryOptions({
    queryKey: ['users', filter],
    queryFn: () => api<Page<UserView>>(`/users?${query}`),
    placeholderData: keepPreviousData,
  });
}

export const useUsers = (filter: UserFilter) => useQuery(usersQueryOptions(filter));

export function useMigrateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, nodeId }: { userId: number; nodeId: number }) =>
      api<UserView>(`/users/${userId}/migrate`, { method: 'POST', body: { nodeId } }),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['users'] }),
        queryClient.invalidateQueries({ queryKey: ['nodes'] }),
      ]),
  });
}
