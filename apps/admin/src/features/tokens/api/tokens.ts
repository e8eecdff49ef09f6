import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Schemas } from '@fleet/sdk';
import { call, fleet } from '../../../lib/api-client';

export type NewToken = Schemas['CreateTokenDto'];

export const useTokens = () => useQuery({ queryKey: ['tokens'], queryFn: () => call(fleet.GET('/api/v1/tokens')) });

export function useCreateToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (token: NewToken) => call(fleet.POST('/api/v1/tokens', { body: token })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['tokens'] }),
  });
}

export function useRevokeToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => call(fleet.DELETE('/api/v1/tokens/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['tokens'] }),
  });
}
