import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AccessPatch, AccessStatus, UserSort } from '@fleet/contract';
import { call, fleet } from '../../../lib/api-client';

export interface UserFilter {
  search?: string;
  nodeId?: number;
  status?: AccessStatus;
  sort?: UserSort;
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
    ...(filter.sort && filter.sort !== 'id' ? { sort: filter.sort } : {}),
  };
  return queryOptions({
    queryKey: ['users', filter],
    queryFn: () => call(fleet.GET('/api/v1/users', { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

export const useUsers = (filter: UserFilter) => useQuery(usersQueryOptions(filter));

/** One bulk action on the selected users: each user's outcome comes back; the lists refresh after. */
export type BulkAction =
  | { action: 'extend'; days: number }
  | { action: 'enable' }
  | { action: 'disable' }
  | { action: 'migrate'; nodeId: number }
  | { action: 'delete' };

function sendBulk(ids: number[], request: BulkAction) {
  switch (request.action) {
    case 'extend':
      return call(fleet.POST('/api/v1/users/bulk-extend', { body: { ids, days: request.days } }));
    case 'enable':
    case 'disable':
      return call(fleet.POST('/api/v1/users/bulk-access', { body: { ids, enabled: request.action === 'enable' } }));
    case 'migrate':
      return call(fleet.POST('/api/v1/users/bulk-migrate', { body: { ids, nodeId: request.nodeId } }));
    case 'delete':
      return call(fleet.POST('/api/v1/users/bulk-delete', { body: { ids } }));
  }
}

export function useBulkAction() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ ids, request }: { ids: number[]; request: BulkAction }) => sendBulk(ids, request),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['users'] }),
        queryClient.invalidateQueries({ queryKey: ['nodes'] }),
        queryClient.invalidateQueries({ queryKey: ['attention'] }),
      ]),
  });
}

/** The filtered users as CSV, made by the API and saved by the browser under users.csv. */
export async function downloadUsersCsv(filter: Omit<UserFilter, 'page' | 'sort'>): Promise<void> {
  const query = {
    ...(filter.search ? { search: filter.search } : {}),
    ...(filter.nodeId ? { nodeId: filter.nodeId } : {}),
    ...(filter.status ? { status: filter.status } : {}),
  };
  // Through the API client: its token, and a 401 ends the session as for every other call.
  const csv = await call(fleet.GET('/api/v1/users/export.csv', { params: { query }, parseAs: 'blob' }));
  const link = document.createElement('a');
  link.href = URL.createObjectURL(csv as Blob);
  link.download = 'users.csv';
  link.click();
  URL.revokeObjectURL(link.href);
}

/** A new user with a plan, through the bot's route (an existing telegram id answers its user, plan unchanged). */
export function useCreateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({
      telegramId,
      ...body
    }: {
      telegramId: number;
      username?: string;
      location?: string;
      plan: AccessPatch;
    }) => call(fleet.PUT('/api/v1/keys/{telegramId}', { params: { path: { telegramId } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
}
