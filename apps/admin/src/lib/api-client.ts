import { session } from './session';

/** An error answer of the API: status, stable code and the messages (one per invalid field on 400). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messages: string[],
  ) {
    super(messages.join('; '));
  }

  /** Messages keyed by the field they name ("maxUsers must not be …" → maxUsers). */
  fieldErrors(): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const message of this.messages) {
      const field = /^([A-Za-z][\w.]*) /.exec(message)?.[1];
      if (field && !(field in fields)) fields[field] = message;
    }
    return fields;
  }
}

/** The last answer of each revalidated GET with its ETag: a poll that finds nothing new costs a bodiless 304. */
const validated = new Map<string, { etag: string; body: unknown }>();

interface CallInit {
  method?: string;
  body?: unknown;
  /** For fixed paths that are polled: send the last answer's ETag and reuse that answer on 304. */
  revalidate?: boolean;
}

/** Calls the JSON API with the session's token; a 401 anywhere ends the session (the app returns to login). */
export async function api<T>(path: string, init: CallInit = {}): Promise<T> {
  const token = session.token();
  const known = init.revalidate ? validated.get(path) : undefined;
  const response = await fetch(`/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(known ? { 'If-None-Match': known.etag } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (response.status === 304 && known) return known.body as T;
  if (response.status === 401 && token) session.clear();
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { message?: string | string[]; code?: string };
    const messages = Array.isArray(body.message) ? body.message : [body.message ?? response.statusText];
    throw new ApiError(response.status, body.code ?? 'UNKNOWN', messages);
  }
  if (response.status === 204) return undefined as T;
  const body = (await response.json()) as T;
  const etag = response.headers.get('ETag');
  if (init.revalidate && etag) validated.set(path, { etag, body });
  return body;
}
