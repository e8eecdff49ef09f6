/** Shorter values are not worth hunting for (and would redact ordinary words). */
const MIN_SECRET = 4;
const REDACTED = '[redacted]';

/**
 * Removes `secrets` from text a panel (or whatever answers at its URL) sent back, in the forms a reply may repeat a
 * request in: as sent, URL- or form-encoded or JSON-escaped, each also in hex and in base64 or base64url at any
 * alignment within a longer encoded stream (the characters that depend on the secret alone), in any letter case.
 */
export function scrubSecrets(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET) continue;
    for (const form of textForms(secret)) forms.add(form);
  }
  let scrubbed = text ?? '';
  // Longest first, so a form is never half-replaced through a shorter one inside it.
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    if (form.length >= MIN_SECRET) scrubbed = scrubbed.replace(new RegExp(escapeRegExp(form), 'gi'), REDACTED);
  }
  return scrubbed;
}

function textForms(secret: string): string[] {
  const plain = [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
  ];
  return plain.flatMap((form) => {
    const bytes = Buffer.from(form, 'utf8');
    return [form, bytes.toString('hex'), ...base64Cores(bytes)];
  });
}

/** The base64 and base64url characters determined by the secret's bytes alone, at each of the 3 byte alignments. */
function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [];
  for (const shift of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    const head = [0, 2, 3][shift]; // characters that mix in the bytes before the secret
    const tail = (shift + bytes.length) % 3 === 0 ? 0 : 1; // … and the one that mixes in the byte after it
    const core = encoded.slice(head, encoded.length - tail);
    cores.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return cores;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
