import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AccessPatch, AccessStatus } from '@fleet/contract';
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

/** A new user with a plan, through the bot's route (an existing telegram id answers its user, plan unchanged). */
export function useCreateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ telegramId, ...body }: { telegramId: number; username?: string; location?: string; plan: AccessPatch }) =>
      call(fleet.PUT('/api/v1/keys/{telegramId}', { params: { path: { telegramId } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
}
