import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { GroupView } from '@fleet/contract';
import { api } from '../api-client';

export type GroupInput = Partial<Pick<GroupView, 'name' | 'countryCode' | 'sortOrder' | 'defaultForNewUsers'>>;

/** Every group, in order (a fleet has a few dozen at most). */
export const useGroups = () =>
  useQuery({ queryKey: ['groups'], queryFn: () => api<GroupView[]>('/groups'), refetchInterval: 30_000 });

/** Group writes; each refreshes the groups (awaited) and the nodes, which show their group (in the background). */
function useGroupMutation<T>(write: (input: T) => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: write,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['nodes'] });
      return queryClient.invalidateQueries({ queryKey: ['groups'] });
    },
  });
}

export const useCreateGroup = () =>
  useGroupMutation((input: GroupInput) => api<GroupView>('/groups', { method: 'POST', body: input }));

export const useUpdateGroup = () =>
  useGroupMutation(({ id, ...input }: GroupInput & { id: number }) =>
    api<GroupView>(`/groups/${id}`, { method: 'PATCH', body: input }),
  );

export const useDeleteGroup = () =>
  useGroupMutation((id: number) => api<undefined>(`/groups/${id}`, { method: 'DELETE' }));
