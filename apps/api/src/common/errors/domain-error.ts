import { ErrorCode } from '@fleet/contract';

/** A failure the service layer means to report; the global filter turns `code` into an HTTP status. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string | string[] = code,
    /** Sent as `Retry-After` (429, 503). */
    readonly options: { retryAfterSeconds?: number } = {},
  ) {
    super(Array.isArray(detail) ? detail.join('; ') : detail);
    this.name = 'DomainError';
  }
}

export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  NODE_NOT_FOUND: 404,
  TOKEN_NOT_FOUND: 404,
  ADMIN_NOT_FOUND: 404,
  ADMIN_NAME_TAKEN: 409,
  LAST_OWNER: 409,
  USER_NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  DEVICE_NOT_FOUND: 404,
  GROUP_NOT_FOUND: 404,
  NODE_NOT_ELIGIBLE: 409,
  MOVE_IN_PROGRESS: 409,
  NODE_UNREACHABLE: 502,
  NO_CAPACITY: 503,
  NODE_NAME_TAKEN: 409,
  NODE_HAS_USERS: 409,
  GROUP_NAME_TAKEN: 409,
  GROUP_HAS_NODES: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  TOO_MANY_LOGIN_ATTEMPTS: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};
