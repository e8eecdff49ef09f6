/** JSON the way the panel writes it after a client change: keys sorted, two-space indent (a re-marshalled Go map). */
export function sortedPrettyJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** Go's encoding/json error text for the few inputs the panel reports back verbatim. */
export function goJsonError(text: string): string | null {
  if (text.trim() === '') return 'unexpected end of JSON input';
  try {
    JSON.parse(text);
    return null;
  } catch {
    const first = text.trim()[0];
    return /[[{"0-9tfn-]/.test(first)
      ? 'unexpected end of JSON input'
      : `invalid character '${first}' looking for beginning of value`;
  }
}
