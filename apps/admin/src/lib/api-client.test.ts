import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from './api-client';

describe('api client', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('revalidates a polled path with its ETag and reuses the answer on 304', async () => {
    const sent: Array<string | undefined> = [];
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      const condition = (init.headers as Record<string, string>)['If-None-Match'];
      sent.push(condition);
      if (condition === 'W/"1"') return new Response(null, { status: 304 });
      return new Response(JSON.stringify({ n: 1 }), { status: 200, headers: { ETag: 'W/"1"' } });
    });
    expect(await api('/stats/overview', { revalidate: true })).toEqual({ n: 1 });
    expect(await api('/stats/overview', { revalidate: true })).toEqual({ n: 1 });
    expect(await api('/stats/overview')).toEqual({ n: 1 });
    expect(sent).toEqual([undefined, 'W/"1"', undefined]);
  });
});
