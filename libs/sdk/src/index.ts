import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, paths };
/** The API's bodies by name (`Schemas['KeyViewDto']`). */
export type Schemas = components['schemas'];
export type FleetClient = Client<paths>;

export interface FleetClientOptions {
  /** Where the control plane answers, e.g. `https://fleet.example.com`. */
  baseUrl: string;
  /** An API token (the bot's) or an admin's session token; a function is asked on every call (null: none). */
  token: string | (() => string | null);
  /** Answers 503 and 429 are asked again this many times, after their `Retry-After` (2 by default). */
  retries?: number;
  /** The longest `Retry-After` waited for, in seconds (30 by default): a longer one is answered as it is. */
  maxRetryAfterSeconds?: number;
  fetch?: (request: Request) => Promise<Response>;
}

/**
 * A typed client of the control plane's API (paths, bodies and answers from its OpenAPI document): bearer
 * authentication; 503 and 429 asked again after their `Retry-After`; every `…/extend` carries an `Idempotency-Key`
 * (one per call, the same on its retries), so a retried extension extends once.
 */
export function createFleetClient(options: FleetClientOptions): FleetClient {
  const send = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const retries = options.retries ?? 2;
  const maxWait = options.maxRetryAfterSeconds ?? 30;
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    fetch: async (request: Request) => {
      for (let attempt = 0; ; attempt++) {
        const response = await send(request.clone());
        const wait = Number(response.headers.get('Retry-After') ?? 1);
        const again = (response.status === 503 || response.status === 429) && attempt < retries && wait <= maxWait;
        if (!again) return response;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait) * 1000));
      }
    },
  });
  client.use({
    onRequest({ request }) {
      const token = typeof options.token === 'function' ? options.token() : options.token;
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
      if (request.method === 'POST' && request.url.endsWith('/extend') && !request.headers.has('Idempotency-Key')) {
        request.headers.set('Idempotency-Key', idempotencyKey());
      }
      return request;
    },
  });
  return client;
}

/** A random key; `randomUUID` exists only in secure contexts, so a page served over plain HTTP gets 128 random bits. */
function idempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
