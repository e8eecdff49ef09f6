/**
 * Whether `text` still carries `secret` in a form a reply could repeat a request in: as sent, URL- or form-encoded,
 * in any letter case, or inside a base64, base64url or hex run (decoded at every alignment). Written apart from the
 * scrubber it checks, so the two cannot share a blind spot by construction.
 */
export function carriesSecret(text: string, secret: string): boolean {
  const forms = [secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)].map(
    (form) => form.toLowerCase(),
  );
  const inPlain = (candidate: string) => forms.some((form) => candidate.toLowerCase().includes(form));
  if (inPlain(text)) return true;
  for (const run of text.match(/[A-Za-z0-9+/=_-]{8,}/g) ?? []) {
    for (let offset = 0; offset < 4; offset++) {
      const base64 = run.slice(offset).replace(/-/g, '+').replace(/_/g, '/');
      if (inPlain(Buffer.from(base64, 'base64').toString('latin1'))) return true;
    }
    if (/^[0-9a-f]+$/i.test(run) && [run, run.slice(1)].some((hex) => inPlain(Buffer.from(hex, 'hex').toString())))
      return true;
  }
  return false;
}
