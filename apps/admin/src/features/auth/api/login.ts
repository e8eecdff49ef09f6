import { useMutation } from '@tanstack/react-query';
import type { LoginResponse } from '@fleet/contract';
import { call, fleet } from '../../../lib/api-client';
import { session } from '../../../lib/session';

export function login(credentials: { username: string; password: string }): Promise<LoginResponse> {
  return call(fleet.POST('/api/v1/auth/login', { body: credentials }));
}

export function useLogin() {
  return useMutation({ mutationFn: login, onSuccess: (result) => session.set(result.accessToken, result.expiresIn) });
}
