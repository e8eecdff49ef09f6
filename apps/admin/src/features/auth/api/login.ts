import { useMutation } from '@tanstack/react-query';
import type { LoginResponse } from '@fleet/contract';
import { api } from '../../../lib/api-client';
import { session } from '../../../lib/session';

export function login(credentials: { username: string; password: string }): Promise<LoginResponse> {
  return api<LoginResponse>('/auth/login', { method: 'POST', body: credentials });
}

export function useLogin() {
  return useMutation({ mutationFn: login, onSuccess: (result) => session.set(result.accessToken) });
}
