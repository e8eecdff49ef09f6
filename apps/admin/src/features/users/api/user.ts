import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AccessPatch } from '@fleet/contract';
import { call, fleet } from '../../../lib/api-client';

const user = (id: number) => ({ params: { path: { id } } });

export const userQueryOptions = (id: number) =>
  queryOptions({ queryKey: ['users', id], queryFn: () => call(fleet.GET('/api/v1/users/{id}', user(id))) });

export const useUser = (id: number) => useQuery(userQueryOptions(id));

/** What support hands the user: the subscription URL and each server's share link (admins only). */
export const useUserKeys = (id: number) =>
  useQuery({
    queryKey: ['users', id, 'keys'],
    queryFn: () => call(fleet.GET('/api/v1/users/{id}/keys', user(id))),
  });

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

/** The devices the user's apps fetched the subscription from, most recent first. */
export const useUserDevices = (id: number) =>
  useQuery({
    queryKey: ['users', id, 'devices'],
    queryFn: () => call(fleet.GET('/api/v1/users/{id}/devices', user(id))),
    refetchInterval: 60_000,
  });

/** Forgets a device: its next fetch counts as a new one (against the device limit). */
export function useForgetDevice(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (deviceId: number) =>
      call(fleet.DELETE('/api/v1/users/{id}/devices/{deviceId}', { params: { path: { id, deviceId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['users', id, 'devices'] }),
  });
}
