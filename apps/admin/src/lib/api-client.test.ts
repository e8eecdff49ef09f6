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
});
