/** Limits every input obeys, whatever route it reaches. */
export const INT4_MAX = 2_147_483_647;
/** Bodies here are flat objects; anything deeper is refused before it is parsed or validated. */
export const MAX_JSON_DEPTH = 16;
/**
 * The largest body any route takes (a node with every text field at its longest is about 6 kB, 35 kB with every
 * character `\u`-escaped), and the login's (a username and a password at their longest, escaped: 7 kB). A longer
 * `Content-Length` is 413 before a byte is read.
 */
export const MAX_JSON_BYTES = 64 * 1024;
export const MAX_LOGIN_JSON_BYTES = 8 * 1024;

/**
 * Whether a JSON text opens more than `max` nested arrays/objects. One linear pass over the raw bytes, so a hostile
 * body (`[` × 200,000) costs microseconds and never reaches the recursive parts of parsing and validation.
 */
export function jsonNestingExceeds(body: Buffer, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (byte === 0x5c) escaped = true;
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > max) return true;
    } else if (byte === 0x5d || byte === 0x7d) depth--;
  }
  return false;
}

/** body-parser `verify` hook: refuses over-deep JSON as 400 before parsing. */
export function refuseDeepJson(_request: unknown, _response: unknown, body: Buffer): void {
  if (jsonNestingExceeds(body)) {
    throw Object.assign(new Error(`request body is nested deeper than ${MAX_JSON_DEPTH} levels`), {
      status: 400,
      type: 'entity.too.deep',
    });
  }
}

/**
 * The path of the first string (key or value) that PostgreSQL cannot store as text: one holding NUL, or an unpaired
 * UTF-16 surrogate. `null` when there is none.
 */
export function findUnstorableString(value: unknown, path: string): string | null {
  if (typeof value === 'string') return isStorable(value) ? null : path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableString(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const child = path ? `${path}.${key}` : key;
      if (!isStorable(key)) return path || 'body';
      const found = findUnstorableString(inner, child);
      if (found) return found;
    }
  }
  return null;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isStorable(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}
