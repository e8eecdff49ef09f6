/**
 * The dashboard's session: its access token and when that expires, kept in local storage so every tab of this
 * browser shares one session (logging in or out in one does it in all). Listeners hear about every change, from
 * this tab or another.
 */
const KEY = 'fleet.session';
const listeners = new Set<() => void>();

interface Stored {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
  /** The token's lifetime (ms): it is renewed once less than half of it is left. */
  lifetime: number;
}

function read(): Stored | null {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Stored | null;
    return stored && typeof stored.token === 'string' ? stored : null;
  } catch {
    return null;
  }
}

const notify = () => listeners.forEach((listener) => listener());
globalThis.addEventListener?.('storage', (event: StorageEvent) => {
  if (event.key === KEY || event.key === null) notify();
});

export const session = {
  token(): string | null {
    return read()?.token ?? null;
  },
  /** Keeps a token the API issued (`expiresIn`, seconds, as it answered). */
  set(token: string, expiresIn = 3600): void {
    const lifetime = expiresIn * 1000;
    localStorage.setItem(KEY, JSON.stringify({ token, expiresAt: Date.now() + lifetime, lifetime }));
    notify();
  },
  clear(): void {
    localStorage.removeItem(KEY);
    notify();
  },
  /** Whether the token is past half its life (a call made now should renew it). */
  due(now = Date.now()): boolean {
    const stored = read();
    return stored !== null && stored.expiresAt - now < stored.lifetime / 2;
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
