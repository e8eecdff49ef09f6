import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Schemas } from '@fleet/sdk';
import { call, fleet } from '../api-client';

export type GroupInput = Schemas['UpdateGroupDto'];

/** Every group, in order (a fleet has a few dozen at most). */
export const useGroups = () =>
  useQuery({ queryKey: ['groups'], queryFn: () => call(fleet.GET('/api/v1/groups')), refetchInterval: 30_000 });

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
  useGroupMutation((input: Schemas['CreateGroupDto']) => call(fleet.POST('/api/v1/groups', { body: input })));

export const useUpdateGroup = () =>
  useGroupMutation(({ id, ...input }: GroupInput & { id: number }) =>
    call(fleet.PATCH('/api/v1/groups/{id}', { params: { path: { id } }, body: input })),
  );

export const useDeleteGroup = () =>
  useGroupMutation((id: number) => call(fleet.DELETE('/api/v1/groups/{id}', { params: { path: { id } } })));
