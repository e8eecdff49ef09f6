/**
 * The cookies of ONE panel. Every panel gets its own jar: the session cookie is always named `3x-ui` with
 * path `/`, and cookies ignore ports, so two panels on one host would overwrite each other in a shared jar.
 */
export class CookieJar {
  private readonly cookies = new Map<string, { value: string; expiresAt: number }>();

  store(setCookieHeaders: string[] | string | undefined, now = Date.now()): void {
    for (const header of [setCookieHeaders ?? []].flat()) {
      const [pair, ...attributes] = header.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const maxAge = attributes.find((a) => /^max-age=/i.test(a));
      const seconds = maxAge ? Number(maxAge.split('=')[1]) : Infinity;
      if (value === '' || seconds <= 0) this.cookies.delete(name);
      else this.cookies.set(name, { value, expiresAt: now + seconds * 1000 });
    }
  }

  header(now = Date.now()): string | undefined {
    const live = [...this.cookies].filter(([, cookie]) => cookie.expiresAt > now);
    return live.length ? live.map(([name, cookie]) => `${name}=${cookie.value}`).join('; ') : undefined;
  }

  has(name: string, now = Date.now()): boolean {
    const cookie = this.cookies.get(name);
    return cookie !== undefined && cookie.expiresAt > now;
  }

  /** Every stored value (to keep them out of error texts). */
  values(): string[] {
    return [...this.cookies.values()].map((cookie) => cookie.value);
  }

  clear(): void {
    this.cookies.clear();
  }
}
