import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { compare, hash } from 'bcryptjs';
import { randomBytes } from 'node:crypto';
import { DataSource, Repository } from 'typeorm';
import { ErrorCode, EventType, LoginResponse } from '@fleet/contract';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { LockKey, withAdvisoryLock } from '../../common/database/advisory-lock';
import { DomainError } from '../../common/errors/domain-error';
import { EventsService } from '../events/events.service';
import { Admin } from './admin.entity';
import { Principal } from './principal';
import { ApiTokensService } from './api-tokens.service';

const BCRYPT_COST = 12;
/** Compared against when the username is unknown, so both failures take the same time. */
const DUMMY_HASH = '$2b$12$FfDUXFJW.yDFBHHWhtZYiO8FxZxdSgQnyBClFfOl/p1DbrDoJmO/.';

interface AccessTokenClaims {
  sub: number;
  username: string;
  role: 'admin';
}

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(Admin) private readonly admins: Repository<Admin>,
    private readonly jwt: JwtService,
    private readonly tokens: ApiTokensService,
    private readonly events: EventsService,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await withAdvisoryLock(this.dataSource, LockKey.Bootstrap, () => this.bootstrapFirstAdmin());
  }

  /** Creates the first admin from ADMIN_USERNAME/ADMIN_PASSWORD, or with a generated password printed once. */
  private async bootstrapFirstAdmin(): Promise<void> {
    if ((await this.admins.count()) > 0) return;
    const username = this.config.adminUsername ?? 'admin';
    const password = this.config.adminPassword ?? randomBytes(18).toString('base64url');
    await this.admins.insert({ username, passwordHash: await hash(password, BCRYPT_COST) });
    if (this.config.adminPassword) {
      this.logger.log(`created the first admin "${username}" from ADMIN_USERNAME/ADMIN_PASSWORD`);
    } else {
      // Printed on purpose, once: without it nobody could log in. Set ADMIN_PASSWORD to avoid it.
      this.logger.warn(`created the first admin "${username}" with the generated password: ${password}`);
    }
  }

  async login(username: string, password: string, ip: string): Promise<LoginResponse> {
    const since = new Date(Date.now() - this.config.loginWindowSeconds * 1000);
    const failures = await this.events.countLoginFailures(EventType.LoginFailed, username, ip, since);
    if (failures >= this.config.loginMaxFailures) {
      throw new DomainError(
        ErrorCode.TooManyLoginAttempts,
        `too many failed logins; try again in ${this.config.loginWindowSeconds} seconds`,
      );
    }
    const admin = await this.admins.findOneBy({ username });
    const valid = await compare(password, admin?.passwordHash ?? DUMMY_HASH);
    if (!admin || !valid) {
      await this.events.record({ type: EventType.LoginFailed, actor: 'anonymous', payload: { username, ip } });
      throw new DomainError(ErrorCode.InvalidCredentials, 'wrong username or password');
    }
    await this.events.record({ type: EventType.LoginSucceeded, actor: `admin:${admin.username}`, payload: { ip } });
    const claims: AccessTokenClaims = { sub: admin.id, username: admin.username, role: 'admin' };
    return {
      accessToken: await this.jwt.signAsync(claims, { expiresIn: this.config.jwtTtlSeconds }),
      expiresIn: this.config.jwtTtlSeconds,
    };
  }

  /** Resolves an Authorization header to a principal, or throws 401. */
  async authenticate(header: string | undefined): Promise<Principal> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match) throw new DomainError(ErrorCode.Unauthenticated, 'missing bearer token');
    const credential = match[1];

    if (this.tokens.looksLikeApiToken(credential)) {
      const token = await this.tokens.findByToken(credential);
      if (!token) throw new DomainError(ErrorCode.Unauthenticated, 'invalid API token');
      return { kind: 'token', id: token.id, name: token.name, role: token.role };
    }
    try {
      const claims = await this.jwt.verifyAsync<AccessTokenClaims>(credential, { algorithms: ['HS256'] });
      return { kind: 'admin', id: claims.sub, name: claims.username, role: 'admin' };
    } catch {
      throw new DomainError(ErrorCode.Unauthenticated, 'invalid or expired access token');
    }
  }
}
