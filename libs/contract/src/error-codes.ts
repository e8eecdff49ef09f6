/** Stable machine-readable error codes; every error body carries one as `code`. */
export const ErrorCode = {
  ValidationFailed: 'VALIDATION_FAILED',
  Unauthenticated: 'UNAUTHENTICATED',
  Forbidden: 'FORBIDDEN',
  InvalidCredentials: 'INVALID_CREDENTIALS',
  TooManyLoginAttempts: 'TOO_MANY_LOGIN_ATTEMPTS',
  NotFound: 'NOT_FOUND',
  NodeNotFound: 'NODE_NOT_FOUND',
  NodeNameTaken: 'NODE_NAME_TAKEN',
  NodeHasUsers: 'NODE_HAS_USERS',
  GroupNotFound: 'GROUP_NOT_FOUND',
  GroupNameTaken: 'GROUP_NAME_TAKEN',
  GroupHasNodes: 'GROUP_HAS_NODES',
  TokenNotFound: 'TOKEN_NOT_FOUND',
  AdminNotFound: 'ADMIN_NOT_FOUND',
  AdminNameTaken: 'ADMIN_NAME_TAKEN',
  /** 409: the change would leave no active owner. */
  LastOwner: 'LAST_OWNER',
  UserNotFound: 'USER_NOT_FOUND',
  JobNotFound: 'JOB_NOT_FOUND',
  DeviceNotFound: 'DEVICE_NOT_FOUND',
  NoCapacity: 'NO_CAPACITY',
  NodeNotEligible: 'NODE_NOT_ELIGIBLE',
  NodeUnreachable: 'NODE_UNREACHABLE',
  MoveInProgress: 'MOVE_IN_PROGRESS',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  /** 415: a request body that is not `application/json`. */
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  /** 422: an `Idempotency-Key` already used for another request (body, route or caller). */
  IdempotencyKeyReused: 'IDEMPOTENCY_KEY_REUSED',
  /** 503: a dependency (the database) does not answer; try again later. */
  Unavailable: 'UNAVAILABLE',
  Internal: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Body of every error response (NestJS shape plus a code and, for 500s, a correlation id). */
export interface ErrorBody {
  statusCode: number;
  error: string;
  /** What went wrong, always a list: one sentence, or one per field at fault on a 400. */
  message: string[];
  code: ErrorCode;
  correlationId?: string;
}
