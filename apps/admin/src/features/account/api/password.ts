import { useMutation } from '@tanstack/react-query';
import { call, fleet } from '../../../lib/api-client';
import { session } from '../../../lib/session';

/**
 * Changes the signed-in admin's password. The API ends every other session and answers a new token for this one,
 * kept as a login's is.
 */
export function useChangePassword() {
  return useMutation({
    mutationFn: (body: { currentPassword: string; newPassword: string }) =>
      call(fleet.POST('/api/v1/admins/me/password', { body })),
    onSuccess: (answer) => session.set(answer.accessToken, answer.expiresIn),
  });
}
