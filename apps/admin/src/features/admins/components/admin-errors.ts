import { ErrorCode } from '@fleet/contract';
import { ApiError } from '../../../lib/api-client';

/** A refusal of a change to `username`'s account, in an operator's words. */
export function refusalInWords(error: Error, username: string): string {
  if (!(error instanceof ApiError)) return error.message;
  switch (error.code) {
    case ErrorCode.LastOwner:
      return `${username} is the last active owner: make another admin an owner first.`;
    case ErrorCode.AdminNotFound:
      return `${username} no longer exists.`;
    case ErrorCode.AdminNameTaken:
      return `An admin named ${username} already exists.`;
    default:
      return error.message;
  }
}
