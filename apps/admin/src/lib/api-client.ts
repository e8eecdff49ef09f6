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

/** Calls the JSON API with the session's token; a 401 anywhere ends the session (the app returns to login). */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const token = session.token();
  const response = await fetch(`/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (response.status === 401 && token) session.clear();
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { message?: string | string[]; code?: string };
    const messages = Array.isArray(body.message) ? body.message : [body.message ?? response.statusText];
    throw new ApiError(response.status, body.code ?? 'UNKNOWN', messages);
  }
  return response.status === 204 ? (undefined as T) : ((await response.json()) as T);
}
