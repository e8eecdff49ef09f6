import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AccessStatus } from '@fleet/contract';
import { call, fleet } from '../../../lib/api-client';

export interface UserFilter {
  search?: string;
  nodeId?: number;
  status?: AccessStatus;
  page: number;
}

const PAGE_SIZE = 25;

export function usersQueryOptions(filter: UserFilter) {
  const query = {
    page: filter.page,
    limit: PAGE_SIZE,
    ...(filter.search ? { search: filter.search } : {}),
    ...(filter.nodeId ? { nodeId: filter.nodeId } : {}),
    ...(filter.status ? { status: filter.status } : {}),
  };
  return queryOptions({
    queryKey: ['users', filter],
    queryFn: () => call(fleet.GET('/api/v1/users', { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

export const useUsers = (filter: UserFilter) => useQuery(usersQueryOptions(filter));

export function useMigrateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, nodeId }: { userId: number; nodeId: number }) =>
      call(fleet.POST('/api/v1/users/{id}/migrate', { params: { path: { id: userId } }, body: { nodeId } })),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['users'] }),
        queryClient.invalidateQueries({ queryKey: ['nodes'] }),
      ]),
  });
}
