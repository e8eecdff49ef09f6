import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Schemas } from '@fleet/sdk';
import { call, fleet } from '../../../lib/api-client';

export type NewAdmin = Schemas['CreateAdminDto'];
export type AdminChange = Schemas['UpdateAdminDto'];

export const useAdmins = () => useQuery({ queryKey: ['admins'], queryFn: () => call(fleet.GET('/api/v1/admins')) });

/** An admin write; the list is read again after it. */
function useAdminWrite<T, R>(write: (input: T) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: write,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admins'] }),
  });
}

export const useCreateAdmin = () =>
  useAdminWrite((admin: NewAdmin) => call(fleet.POST('/api/v1/admins', { body: admin })));

export const useUpdateAdmin = () =>
  useAdminWrite(({ id, change }: { id: number; change: AdminChange }) =>
    call(fleet.PATCH('/api/v1/admins/{id}', { params: { path: { id } }, body: change })),
  );

export const useDeleteAdmin = () =>
  useAdminWrite((id: number) => call(fleet.DELETE('/api/v1/admins/{id}', { params: { path: { id } } })));
