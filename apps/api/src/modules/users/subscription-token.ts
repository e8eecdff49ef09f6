import { randomBytes } from 'node:crypto';

/** 192 random bits, URL-safe: the unguessable part of a subscription URL. */
export function newSubscriptionToken(): string {
  return randomBytes(24).toString('base64url');
}
