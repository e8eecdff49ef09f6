import { carriesSecret } from '@fleet/testing';
import { panelExcerpt } from './errors';
import { scrubSecrets } from './scrub';

describe('scrubSecrets: a reply repeating our request keeps none of our credentials', () => {
  const password = 'pa ss/word&Secret="1"';
  const token = 'panel-api-token-Secret-43';
  const request = `POST /base/login HTTP/1.1\r\nAuthorization: Bearer ${token}\r\n\r\n${new URLSearchParams({
    username: 'admin',
    password,
  })}`;

  it.each([
    ['as sent', (text: string) => text],
    ['upper-cased', (text: string) => text.toUpperCase()],
    ['base64', (text: string) => Buffer.from(text).toString('base64')],
    ['base64url', (text: string) => Buffer.from(text).toString('base64url')],
    ['hex', (text: string) => Buffer.from(text).toString('hex')],
    ['JSON-escaped', (text: string) => JSON.stringify(text)],
  ])('%s, at every position in the reply', (_form, encode) => {
    for (const prefix of ['', 'x', 'xy', 'xyz', 'Something went wrong (']) {
      const reply = encode(`${prefix}${request}`);
      expect([carriesSecret(reply, password), carriesSecret(reply, token)]).toEqual([true, true]); // the test sees both…
      const scrubbed = scrubSecrets(reply, [password, token]);
      expect(carriesSecret(scrubbed, password)).toBe(false); // … and the scrubber removes it
      expect(carriesSecret(scrubbed, token)).toBe(false);
    }
  });

  it('leaves ordinary text alone and ignores values too short to hunt for', () => {
    expect(scrubSecrets('Something went wrong (Duplicate email: alice\n)', [password, 'ab', null])).toBe(
      'Something went wrong (Duplicate email: alice\n)',
    );
  });

  it('an excerpt redacts long opaque runs (an encoding nobody knew of) and is cut to a fixed size', () => {
    const blob = Buffer.from(`whatever ${'x'.repeat(50)}`).toString('base64');
    expect(panelExcerpt(`refused (${blob})`)).toBe('refused ([redacted])');
    expect(panelExcerpt(`${'word '.repeat(100)}`).length).toBeLessThanOrEqual(201);
  });
});
