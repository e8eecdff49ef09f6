import { ADMIN_ROLES, type AdminRole, ROLE_SCOPES, type WhoAmI } from '@fleet/contract';
import { vi } from 'vitest';

type Handler = (request: { method: string; path: string; body: unknown; token: string | null }) => {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
};

/** What `GET /auth/me` answers for an admin of `role`. */
export function adminOf(role: AdminRole, name = `${role}-admin`): WhoAmI {
  return { kind: 'admin', id: ADMIN_ROLES.indexOf(role) + 1, name, role, scopes: [...ROLE_SCOPES[role]] };
}

/**
 * Stubs `fetch` (as the SDK calls it) with a small routing table: the API mocked at the HTTP layer. Returns the calls
 * seen. The caller is an owner (who may do everything) unless the routes answer `GET /auth/me` themselves.
 */
export function fakeApi(routes: Record<string, Handler>) {
  routes = { 'GET /auth/me': () => ({ status: 200, body: adminOf('owner') }), ...routes };
  const calls: Array<{ method: string; path: string; body: unknown }> = [];
  vi.stubGlobal('fetch', async (request: Request) => {
    const { method } = request;
    const url = new URL(request.url);
    const path = `${url.pathname.replace(/^\/api\/v1/, '')}${url.search}`;
    const text = await request.text();
    const body = text ? JSON.parse(text) : undefined;
    const auth = request.headers.get('Authorization');
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
