import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AccessPatch, UserView } from '@fleet/contract';
import { api } from '../../../lib/api-client';

export const userQueryOptions = (id: number) =>
  queryOptions({ queryKey: ['users', id], queryFn: () => api<UserView>(`/users/${id}`) });

export const useUser = (id: number) => useQuery(userQueryOptions(id));

/** One action on a user's access; every one refreshes the user and the lists. */
export function useUserAction<T>(call: (id: number, input: T) => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id: number; input: T }) => call(id, input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
}

export const updateAccess = (id: number, patch: AccessPatch) =>
  api<UserView>(`/users/${id}/access`, { method: 'PATCH', body: patch });
export const extendAccess = (id: number, days: number) =>
  api<UserView>(`/users/${id}/extend`, { method: 'POST', body: { days } });
export const resetTraffic = (id: number) => api<UserView>(`/users/${id}/reset-traffic`, { method: 'POST' });
export const rotateKey = (id: number) => api<UserView>(`/users/${id}/rotate`, { method: 'POST' });
export const deleteUser = (id: number) => api<void>(`/users/${id}`, { method: 'DELETE' });
