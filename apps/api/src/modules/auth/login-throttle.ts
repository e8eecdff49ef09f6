import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isIPv6 } from 'node:net';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { DataSource } from 'typeorm';
import { ErrorCode } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';

/** Where a login waits for a password check: addresses without a recent failure go first. */
export type LoginLane = 'clean' | 'suspect';

interface Waiter {
  address: string | undefined;
  start(): void;
  refuse(error: unknown): void;
}

/**
 * What stands between a stranger and the password hash:
 * - a budget of attempts per client address (IPv6: per /64), taken atomically in PostgreSQL **before** a password is
 *   checked, shared by every replica; a good login gives its attempt back. Usernames have no budget of their own,
 *   so nobody can lock the admin out by failing on their name from elsewhere;
 * - a bound on the password checks running in this process (LOGIN_CONCURRENCY); logins beyond it wait in turn
 *   (LOGIN_QUEUE at most), addresses without a failure in the window ahead of the others, and when the queue is full
 *   a clean address takes the place of the last suspect one. A flood from many addresses therefore delays the right
 *   password from a clean address by its turn, never refuses it, unless the queue is full of clean addresses;
 * - refused and failed logins, like every refusal of a stranger, are answered after LOGIN_REJECT_DELAY_MS (the
 *   global exception filter), so a client that waits for each answer sends one attempt per delay, and the flood no
 *   longer crowds the event loop or this queue.
 */
@Injectable()
export class LoginThrottle {
  private readonly attempts: RateLimiterPostgres;
  private checksRunning = 0;
  private readonly waiting: Record<LoginLane, Waiter[]> = { clean: [], suspect: [] };

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

  /**
   * Takes one attempt from the address's budget, or throws 429 with the seconds to wait. Answers the address's lane:
   * `clean` when this is its only attempt in the window (good logins give theirs back).
   */
  async admit(address: string): Promise<LoginLane> {
    try {
      const taken = await this.attempts.consume(addressKey(address));
      return taken.consumedPoints <= 1 ? 'clean' : 'suspect';
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
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
   * Runs a password check when one of LOGIN_CONCURRENCY slots is free, else after the logins ahead of it in its lane
   * (clean before suspect). When LOGIN_QUEUE logins already wait it throws 429; with an `admitted` address the
   * attempt refused here is given back to that address's budget (no password was checked).
   */
  async check<T>(work: () => Promise<T>, admitted?: { address: string; lane: LoginLane }): Promise<T> {
    await this.slot(admitted?.lane ?? 'clean', admitted?.address);
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private async slot(lane: LoginLane, address: string | undefined): Promise<void> {
    const queued = this.waiting.clean.length + this.waiting.suspect.length;
    if (this.checksRunning < this.config.loginConcurrency && queued === 0) {
      this.checksRunning++;
      return;
    }
    if (queued >= this.config.loginQueue) {
      const displaced = lane === 'clean' ? this.waiting.suspect.pop() : undefined;
      if (!displaced) throw await this.refusal(address);
      this.refusal(displaced.address).then(displaced.refuse, displaced.refuse);
    }
    await new Promise<void>((start, refuse) => this.waiting[lane].push({ address, start, refuse }));
  }

  /** Hands the slot to the next waiting login, if any. */
  private release(): void {
    const next = this.waiting.clean.shift() ?? this.waiting.suspect.shift();
    if (next) next.start();
    else this.checksRunning--;
  }

  /** 429 for a login that got no check: its attempt goes back to its address. */
  private async refusal(address: string | undefined): Promise<DomainError> {
    if (address !== undefined) await this.forgive(address);
    return new DomainError(ErrorCode.TooManyLoginAttempts, 'too many logins at this moment; try again in a second', {
      retryAfterSeconds: 1,
    });
  }
}

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
