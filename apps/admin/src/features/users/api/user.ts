import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AccessPatch } from '@fleet/contract';
import { call, fleet } from '../../../lib/api-client';

const user = (id: number) => ({ params: { path: { id } } });

export const userQueryOptions = (id: number) =>
  queryOptions({ queryKey: ['users', id], queryFn: () => call(fleet.GET('/api/v1/users/{id}', user(id))) });

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
  call(fleet.PATCH('/api/v1/users/{id}/access', { ...user(id), body: patch }));
export const extendAccess = (id: number, days: number) =>
  call(fleet.POST('/api/v1/users/{id}/extend', { ...user(id), body: { days } }));
export const resetTraffic = (id: number) => call(fleet.POST('/api/v1/users/{id}/reset-traffic', user(id)));
export const rotateKey = (id: number) => call(fleet.POST('/api/v1/users/{id}/rotate', { ...user(id), body: {} }));
export const deleteUser = (id: number) => call(fleet.DELETE('/api/v1/users/{id}', user(id)));
