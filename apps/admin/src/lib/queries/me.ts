import { useQuery } from '@tanstack/react-query';
import type { Scope } from '@fleet/contract';
import { call, fleet } from '../api-client';

/**
 * Who is signed in and what they may do. A role changes rarely, so it is asked once in a while; the whole cache is
 * dropped at sign-out, so that the next admin never sees the previous one's answer.
 */
export const useMe = () =>
  useQuery({ queryKey: ['me'], queryFn: () => call(fleet.GET('/api/v1/auth/me')), staleTime: 5 * 60_000 });

/** Whether the caller has `scope`: false until the answer is known, so nothing they may not use ever flashes. */
export function useCan(scope: Scope): boolean {
  return useMe().data?.scopes.includes(scope) ?? false;
}
