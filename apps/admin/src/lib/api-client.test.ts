import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, call, fleet } from './api-client';
import { session } from './session';

describe('api client', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    session.clear();
  });

  it('revalidates a GET with its ETag and reuses the answer on 304', async () => {
    const sent: Array<string | null> = [];
    vi.stubGlobal('fetch', async (request: Request) => {
      const condition = request.headers.get('If-None-Match');
      sent.push(condition);
      if (condition === 'W/"1"') return new Response(null, { status: 304 });
      return new Response(JSON.stringify({ status: 'ok' }), {
        status: 200,
        headers: { ETag: 'W/"1"', 'Content-Type': 'application/json' },
      });
    });
    expect(await call(fleet.GET('/healthz'))).toEqual({ status: 'ok' });
    expect(await call(fleet.GET('/healthz'))).toEqual({ status: 'ok' });
    expect(sent).toEqual([null, 'W/"1"']);
  });

  it('sends the session’s token, and a 401 ends the session', async () => {
    session.set('session-token');
    const seen: Array<string | null> = [];
    vi.stubGlobal('fetch', async (request: Request) => {
      seen.push(request.headers.get('Authorization'));
      return new Response(JSON.stringify({ statusCode: 401, code: 'UNAUTHENTICATED', message: ['token expired'] }), {
        status: 401,
        headers: { 'Content-Type': 'application/json' },
      });
    });
    const refused = await call(fleet.GET('/api/v1/jobs')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', messages: ['token expired'] });
    expect(seen).toEqual(['Bearer session-token']);
    expect(session.token()).toBeNull();
  });

  it('a wrong password typed in a form is refused with a 401 that keeps the session', async () => {
    session.set('session-token');
    vi.stubGlobal(
      'fetch',
      async () =>
        new Response(
          JSON.stringify({ statusCode: 401, code: 'INVALID_CREDENTIALS', message: ['currentPassword is wrong'] }),
          { status: 401, headers: { 'Content-Type': 'application/json' } },
        ),
    );
    const refused = await call(
      fleet.POST('/api/v1/admins/me/password', { body: { currentPassword: 'wrong', newPassword: 'a-new-password' } }),
    ).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS' });
    expect((refused as ApiError).fieldErrors()).toEqual({ currentPassword: 'Current password is wrong' });
    expect(session.token()).toBe('session-token');
  });

  it('renews the token once it is past half its life, with one refresh however many calls notice', async () => {
    session.set('old-token', 3600);
    const refreshes: Array<string | null> = [];
    vi.stubGlobal('fetch', async (request: Request) => {
      if (request.url.endsWith('/api/v1/auth/refresh')) {
        refreshes.push(request.headers.get('Authorization'));
        return new Response(JSON.stringify({ accessToken: 'new-token', expiresIn: 3600 }), { status: 200 });
      }
      return new Response(JSON.stringify({ status: 'ok' }), { status: 200 });
    });
    await call(fleet.GET('/healthz'));
    expect(refreshes).toEqual([]); // fresh: nothing to renew
    vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 31 * 60_000);
    await Promise.all([call(fleet.GET('/healthz')), call(fleet.GET('/readyz'))]);
    await vi.waitFor(() => expect(session.token()).toBe('new-token'));
    expect(refreshes).toEqual(['Bearer old-token']);
    vi.restoreAllMocks();
  });

  it('one session for every tab: a log-in or log-out in another tab is heard here', () => {
    const heard: Array<string | null> = [];
    const stop = session.subscribe(() => heard.push(session.token()));
    localStorage.setItem(
      'fleet.session',
      JSON.stringify({ token: 't2', expiresAt: Date.now() + 1000, lifetime: 1000 }),
    );
    window.dispatchEvent(new StorageEvent('storage', { key: 'fleet.session' }));
    localStorage.removeItem('fleet.session');
    window.dispatchEvent(new StorageEvent('storage', { key: 'fleet.session' }));
    stop();
    expect(heard).toEqual(['t2', null]);
  });

  it('a call the network refused is an ApiError that says the control plane cannot be reached', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    const refused = await call(fleet.GET('/api/v1/jobs')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 0, code: 'UNREACHABLE', message: 'the control plane cannot be reached' });
  });
});
