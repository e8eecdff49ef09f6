import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import * as bcrypt from 'bcrypt';
import { randomBytes } from 'node:crypto';

/** OWASP's first argon2id setting (19 MiB, 2 passes): ≈ 20–40 ms of one libuv worker, none of the event loop. */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
/** bcrypt reads at most 72 bytes; a longer password checked against a bcrypt hash would be silently cut. */
const BCRYPT_MAX_BYTES = 72;

export interface Verdict {
  valid: boolean;
  /** The hash is bcrypt (from an older version) or argon2 with weaker settings: store a fresh one. */
  needsRehash: boolean;
}

/**
 * Password hashing off the event loop: native argon2id for new hashes; bcrypt hashes written by earlier versions
 * keep verifying (native bcrypt, also in libuv's pool) and are replaced after the next good login.
 */
@Injectable()
export class PasswordHasher {
  private dummy: Promise<string> | null = null;

  hash(password: string): Promise<string> {
    return argon2.hash(password, ARGON2_OPTIONS);
  }

  async verify(hash: string, password: string): Promise<Verdict> {
    if (/^\$2[aby]\$/.test(hash)) {
      if (Buffer.byteLength(password) > BCRYPT_MAX_BYTES) return { valid: false, needsRehash: false };
      return { valid: await bcrypt.compare(password, hash), needsRehash: true };
    }
    const valid = await argon2.verify(hash, password).catch(() => false);
    return { valid, needsRehash: valid && argon2.needsRehash(hash, ARGON2_OPTIONS) };
  }

  /** Checked when the username is unknown, so that answer takes as long as a wrong password. */
  async verifyAgainstNothing(password: string): Promise<void> {
    this.dummy ??= this.hash(randomBytes(16).toString('hex'));
    await this.verify(await this.dummy, password);
  }
}
