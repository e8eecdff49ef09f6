import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isIPv6 } from 'node:net';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { DataSource } from 'typeorm';
import { ErrorCode } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';

/**
 * What stands between a stranger and the password hash:
 * - a budget of attempts per client address (IPv6: per /64), taken atomically in PostgreSQL **before** a password is
 *   checked, shared by every replica; a good login gives its attempt back. Usernames have no budget of their own,
 *   so nobody can lock the admin out by failing on their name from elsewhere;
 * - a bound on the password checks running in this process; excess logins get 429 instead of queueing;
 * - refused logins are answered after LOGIN_REJECT_DELAY_MS (at most MAX_DELAYED at once, the rest at once), so a
 *   client that waits for each answer — as brute-force tools do — sends one attempt per delay instead of thousands
 *   per second, and the flood no longer crowds the event loop.
 */
@Injectable()
export class LoginThrottle {
  private readonly attempts: RateLimiterPostgres;
  private checksRunning = 0;
  private delayed = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() dataSource: DataSource,
  ) {
    this.attempts = new RateLimiterPostgres({
      storeClient: dataSource,
      storeType: 'typeorm',
      tableName: 'login_throttle',
      tableCreated: true, // made by a migration
      keyPrefix: 'login',
      points: config.loginMaxFailures,
      duration: config.loginWindowSeconds,
      // Once the store has refused an address, this replica refuses it from memory until its window ends: a flood
      // from one address costs no database round trip per request.
      inMemoryBlockOnConsumed: config.loginMaxFailures + 1,
    });
  }

  /** Takes one attempt from the address's budget, or throws 429 with the seconds to wait. */
  async admit(address: string): Promise<void> {
    try {
      await this.attempts.consume(addressKey(address));
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      await this.slowDown();
      throw new DomainError(ErrorCode.TooManyLoginAttempts, `too many failed logins; try again in ${seconds} seconds`, {
        retryAfterSeconds: seconds,
      });
    }
  }

  /** A good login does not use up the address's budget. */
  async forgive(address: string): Promise<void> {
    await this.attempts.reward(addressKey(address));
  }

  /**
   * Runs a password check if fewer than LOGIN_CONCURRENCY are running, else throws 429 without waiting. With an
   * `address`, an attempt refused here is given back to that address's budget (no password was checked).
   */
  async check<T>(work: () => Promise<T>, address?: string): Promise<T> {
    if (this.checksRunning >= this.config.loginConcurrency) {
      if (address !== undefined) await this.forgive(address);
      await this.slowDown();
      throw new DomainError(ErrorCode.TooManyLoginAttempts, 'too many logins at this moment; try again in a second', {
        retryAfterSeconds: 1,
      });
    }
    this.checksRunning++;
    try {
      return await work();
    } finally {
      this.checksRunning--;
    }
  }

  private async slowDown(): Promise<void> {
    if (this.config.loginRejectDelayMs === 0 || this.delayed >= MAX_DELAYED) return;
    this.delayed++;
    try {
      await new Promise((resolve) => setTimeout(resolve, this.config.loginRejectDelayMs));
    } finally {
      this.delayed--;
    }
  }
}

/** Refused logins held back at once; beyond this they are answered immediately (a timer and a socket each). */
const MAX_DELAYED = 2000;

/** IPv4 as is; IPv6 by its /64 (one subscriber's block); IPv4-mapped IPv6 as the IPv4 address. */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head, tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
