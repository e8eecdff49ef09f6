/** The access token, kept in session storage (gone with the tab); listeners hear about log-in and log-out. */
const KEY = 'fleet.accessToken';
const listeners = new Set<() => void>();

export const session = {
  token(): string | null {
    return sessionStorage.getItem(KEY);
  },
  set(token: string): void {
    sessionStorage.setItem(KEY, token);
    listeners.forEach((listener) => listener());
  },
  clear(): void {
    sessionStorage.removeItem(KEY);
    listeners.forEach((listener) => listener());
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
