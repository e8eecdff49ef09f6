import { vi } from 'vitest';

type Handler = (request: { method: string; path: string; body: unknown; token: string | null }) => {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
};

/** Stubs `fetch` with a small routing table: the API mocked at the HTTP layer. Returns the calls seen. */
export function fakeApi(routes: Record<string, Handler>) {
  const calls: Array<{ method: string; path: string; body: unknown }> = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const path = url.replace(/^\/api\/v1/, '');
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    const auth = (init.headers as Record<string, string> | undefined)?.['Authorization'] ?? null;
    calls.push({ method, path, body });
    const handler = routes[`${method} ${path.split('?')[0]}`];
    const answer = handler
      ? handler({ method, path, body, token: auth })
      : { status: 404, body: { message: ['not found'] } };
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'Content-Type': 'application/json', ...answer.headers },
    });
  });
  return calls;
}
