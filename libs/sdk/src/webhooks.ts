import { createHmac, timingSafeEqual } from 'node:crypto';
import type { webhooks } from './schema';

/** One webhook's body, by its `type`: `{id, type, occurredAt, subject, sequence, data}`. */
export type WebhookEvent = {
  [Type in keyof webhooks]: webhooks[Type]['post'] extends {
    requestBody: { content: { 'application/json': infer Body } };
  }
    ? Body
    : never;
}[keyof webhooks];

/** Signatures older (or newer) than this are refused, so a captured delivery cannot be replayed later. */
const TOLERANCE_SECONDS = 300;

/**
 * Whether a delivery is genuine: `X-Signature` is the hex HMAC-SHA256, keyed with WEBHOOK_SECRET, of
 * `"<X-Signature-Timestamp>.<raw body>"`, and the timestamp is within five minutes of now. Pass the body exactly as
 * received, before parsing it; header names in lower case (as Node's `IncomingMessage` has them).
 */
export function verifyWebhook(
  rawBody: string,
  headers: Record<string, string | string[] | undefined>,
  secret: string,
  nowSeconds = Date.now() / 1000,
): boolean {
  const timestamp = String(headers['x-signature-timestamp'] ?? '');
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest();
  const signature = String(headers['x-signature'] ?? '');
  const given = Buffer.from(signature, 'hex');
  return /^[0-9a-f]{64}$/.test(signature) && timingSafeEqual(given, expected);
}

/** The body of a verified delivery, typed by its `type`. */
export function parseWebhook(rawBody: string): WebhookEvent {
  return JSON.parse(rawBody) as WebhookEvent;
}
