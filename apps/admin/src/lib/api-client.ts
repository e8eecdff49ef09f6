import { ErrorCode } from '@fleet/contract';
import { createFleetClient } from '@fleet/sdk';
import { humanMessage } from './field-labels';
import { session } from './session';

/** An error answer of the API: status, stable code and the messages (one per invalid field on 400). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messages: string[],
  ) {
    super(messages.map(humanMessage).join('; '));
  }

  /** Messages in an operator's words, keyed by the field they name ("plan.maxUsers must not be …" → maxUsers). */
  fieldErrors(): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const message of this.messages) {
      const field = /^([A-Za-z][\w.]*) /.exec(message)?.[1]?.split('.').at(-1);
      if (field && !(field in fields)) fields[field] = humanMessage(message);
    }
    return fields;
  }
}

/** GET answers kept with their ETag (the most recent ones): a poll that finds nothing new costs a bodiless 304. */
const validated = new Map<string, { etag: string; body: string; type: string }>();
const VALIDATED_UP_TO = 64;

/**
 * Sends a call as the SDK built it: polled GETs revalidated with the last answer's ETag (a 304 answered with that
 * answer), and a 401 ends the session (the app returns to login) unless it only refuses a password typed in a form.
 */
async function send(request: Request): Promise<Response> {
  const known = request.method === 'GET' ? validated.get(request.url) : undefined;
  if (known) request.headers.set('If-None-Match', known.etag);
  const response = await fetch(request);
  if (response.status === 304 && known) {
    return new Response(known.body, { status: 200, headers: { 'Content-Type': known.type } });
  }
  if (response.status === 401 && session.token() && !(await refusesTypedPassword(response))) session.clear();
  if (response.ok && session.due()) void renew();
  const etag = response.headers.get('ETag');
  if (request.method === 'GET' && response.ok && etag) {
    validated.delete(request.url);
    validated.set(request.url, {
      etag,
      body: await response.clone().text(),
      type: response.headers.get('Content-Type') ?? 'application/json',
    });
    if (validated.size > VALIDATED_UP_TO) validated.delete(validated.keys().next().value!);
  }
  return response;
}

/**
 * A 401 that says a password typed in a form is wrong (the current one, when changing it): the session itself is
 * still valid, and the form says what was wrong.
 */
async function refusesTypedPassword(response: Response): Promise<boolean> {
  const body = (await response
    .clone()
    .json()
    .catch(() => null)) as { code?: unknown } | null;
  return body?.code === ErrorCode.InvalidCredentials;
}

let renewing: Promise<void> | null = null;

/**
 * Renews the session's token (once at a time, whichever tab's call notices first): a dashboard in use never meets its
 * token's expiry, only the session's cap (the API's SESSION_MAX_HOURS), after which a 401 asks for the password.
 */
function renew(): Promise<void> {
  const token = session.token();
  renewing ??= fetch(
    new Request(`${globalThis.location?.origin ?? 'http://localhost'}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    }),
  )
    .then(async (response) => {
      if (!response.ok || session.token() !== token) return;
      const { accessToken, expiresIn } = (await response.json()) as { accessToken: string; expiresIn: number };
      session.set(accessToken, expiresIn);
    })
    .catch(() => undefined) // the next call tries again
    .finally(() => (renewing = null));
  return renewing;
}

/** The API, typed by its OpenAPI document (the SDK), with the session's token. The SPA does not retry refusals. */
export const fleet = createFleetClient({
  baseUrl: globalThis.location?.origin ?? 'http://localhost',
  token: () => session.token(),
  retries: 0,
  fetch: send,
});

/** What an SDK call answers: its body on success, else the error body. */
interface Answer {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** The answer's body (nothing for a 204), or an ApiError with the error body's code and messages. */
export async function call<A extends Answer>(pending: Promise<A>): Promise<NonNullable<A['data']>> {
  const answer = await pending.catch(() => {
    // fetch itself failed: no answer at all (the API is down, or the network between)
    throw new ApiError(0, 'UNREACHABLE', ['the control plane cannot be reached']);
  });
  if (answer.response.ok) return answer.data as NonNullable<A['data']>;
  const body = (answer.error ?? {}) as { message?: unknown; code?: unknown };
  const messages = Array.isArray(body.message) ? body.message.map(String) : [answer.response.statusText];
  throw new ApiError(answer.response.status, typeof body.code === 'string' ? body.code : 'UNKNOWN', messages);
}
