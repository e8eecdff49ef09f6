import { randomBytes } from 'node:crypto';
import { decodeSecretKey, generateSecretKey, SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips and never stores the plain text', () => {
    const stored = box.encrypt('panel-password');
    expect(stored).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(stored).not.toContain('panel-password');
    expect(box.decrypt(stored)).toBe('panel-password');
  });

  it('uses a fresh IV each time', () => {
    expect(box.encrypt('same')).not.toBe(box.encrypt('same'));
  });

  it('rejects tampered ciphertext and other keys', () => {
    const stored = box.encrypt('secret');
    const parts = stored.split('.');
    const flipped = Buffer.from(parts[3], 'base64url');
    flipped[0] ^= 1;
    expect(() => box.decrypt([...parts.slice(0, 3), flipped.toString('base64url')].join('.'))).toThrow();
    expect(() => new SecretBox(randomBytes(32)).decrypt(stored)).toThrow();
    expect(() => box.decrypt('plain')).toThrow('unrecognised encrypted value');
  });

  it('derives a signing key distinct from the encryption key material', () => {
    const key = randomBytes(32);
    expect(new SecretBox(key).jwtSigningKey.equals(key)).toBe(false);
    expect(new SecretBox(key).jwtSigningKey.equals(new SecretBox(key).jwtSigningKey)).toBe(true);
  });
});

describe('decodeSecretKey', () => {
  it('accepts 64 hex characters and base64 of 32 bytes', () => {
    expect(decodeSecretKey(generateSecretKey())).toHaveLength(32);
    expect(decodeSecretKey(randomBytes(32).toString('base64'))).toHaveLength(32);
    expect(decodeSecretKey(randomBytes(32).toString('base64url'))).toHaveLength(32);
  });

  it.each(['', 'short', 'z'.repeat(64), randomBytes(16).toString('hex'), randomBytes(31).toString('base64')])(
    'rejects %p with a hint',
    (raw) => {
      expect(() => decodeSecretKey(raw)).toThrow(/openssl rand -hex 32/);
    },
  );
});
