import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, Repository } from 'typeorm';
import { ErrorCode, EventType, LoginResponse, ROLE_SCOPES, WhoAmI } from '@fleet/contract';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { LockKey, withAdvisoryLock } from '../../common/database/advisory-lock';
import { DomainError } from '../../common/errors/domain-error';
import { EventsService } from '../events/events.service';
import { Admin } from './admin.entity';
import { ApiTokensService } from './api-tokens.service';
import { LoginThrottle } from './login-throttle';
import { PasswordHasher } from './password-hasher';
import { Principal } from './principal';

interface AccessTokenClaims {
  sub: number;
  username: string;
  /** The admin's token version when the token was issued; a bump revokes it. Absent in older tokens (= 0). */
  ver?: number;
  /** Set by signing (JWT_TTL_SECONDS); a token without one would never expire and is refused. */
  exp?: number;
  /** When the session began (the password login, seconds): renewals keep it, and stop SESSION_MAX_HOURS after. */
  auth?: number;
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
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await withAdvisoryLock(this.dataSource, LockKey.Bootstrap, () => this.bootstrapFirstAdmin());
  }

  /** Creates the first admin, an owner, from ADMIN_USERNAME/ADMIN_PASSWORD, or with a generated password printed once. */
  private async bootstrapFirstAdmin(): Promise<void> {
    if ((await this.admins.count()) > 0) return;
    const username = this.config.adminUsername ?? 'admin';
    const password = this.config.adminPassword ?? randomBytes(18).toString('base64url');
    await this.admins.insert({ username, role: 'owner', passwordHash: await this.hasher.hash(password) });
    if (this.config.adminPassword) {
      this.logger.log(`created the first admin "${username}" from ADMIN_USERNAME/ADMIN_PASSWORD`);
    } else {
      // Printed on purpose, once: without it nobody could log in. Set ADMIN_PASSWORD to avoid it.
      this.logger.warn(`created the first admin "${username}" with the generated password: ${password}`);
    }
  }

  /**
   * The address's budget is taken before any hash is computed; the check waits its turn (clean addresses first) and
   * runs off the event loop.
   */
  async login(username: string, password: string, address: string): Promise<LoginResponse> {
    const lane = await this.throttle.admit(address);
    const admin = await this.throttle.check(
      async () => {
        const found = await this.admins.findOneBy({ username });
        if (!found) {
          await this.hasher.verifyAgainstNothing(password);
          return null;
        }
        const verdict = await this.hasher.verify(found.passwordHash, password);
        if (!verdict.valid) return null;
        if (verdict.needsRehash) await this.admins.update(found.id, { passwordHash: await this.hasher.hash(password) });
        return found;
      },
      { address, lane },
    );
    if (!admin) {
      await this.events.record({ type: EventType.LoginFailed, actor: 'anonymous', payload: { username, ip: address } });
      throw new DomainError(ErrorCode.InvalidCredentials, 'wrong username or password');
    }
    if (admin.disabled) {
      await this.events.record({
        type: EventType.LoginFailed,
        actor: `admin:${admin.username}`,
        payload: { username, ip: address, disabled: true },
      });
      throw new DomainError(ErrorCode.InvalidCredentials, 'this account is disabled');
    }
    await this.throttle.forgive(address);
    await this.events.record({
      type: EventType.LoginSucceeded,
      actor: `admin:${admin.username}`,
      payload: { ip: address },
    });
    return this.issue(admin);
  }

  /** Revokes every access token of this admin, on every replica at once (each request reads the admin's row). */
  async logoutEverywhere(principal: Principal): Promise<void> {
    const admin = await this.sessionAdmin(principal);
    await this.admins.increment({ id: admin.id }, 'tokenVersion', 1);
    await this.events.record({ type: EventType.LoggedOutEverywhere, actor: `admin:${admin.username}`, payload: {} });
  }

  /** Changes the caller's password and revokes their other tokens; returns a fresh token for this session. */
  async changePassword(principal: Principal, currentPassword: string, newPassword: string): Promise<LoginResponse> {
    const admin = await this.sessionAdmin(principal);
    const verdict = await this.throttle.check(() => this.hasher.verify(admin.passwordHash, currentPassword));
    if (!verdict.valid) throw new DomainError(ErrorCode.InvalidCredentials, 'currentPassword is wrong');
    const passwordHash = await this.throttle.check(() => this.hasher.hash(newPassword));
    await this.admins.update(admin.id, { passwordHash, tokenVersion: admin.tokenVersion + 1 });
    await this.events.record({ type: EventType.PasswordChanged, actor: `admin:${admin.username}`, payload: {} });
    return this.issue({ ...admin, tokenVersion: admin.tokenVersion + 1 });
  }

  /**
   * A fresh token for the caller's session (the SPA renews while it is used), as long as the session is younger than
   * SESSION_MAX_HOURS: then the password is asked again. Revoked tokens never reach here (`authenticate`).
   */
  async refresh(principal: Principal, header: string | undefined): Promise<LoginResponse> {
    const admin = await this.sessionAdmin(principal);
    const claims = this.jwt.decode<AccessTokenClaims>(/^Bearer\s+(\S+)/i.exec(header ?? '')?.[1] ?? '');
    const began = claims?.auth ?? 0;
    if (Date.now() / 1000 - began > this.config.sessionMaxHours * 3600) {
      throw new DomainError(ErrorCode.Unauthenticated, 'the session is too old to renew; log in again');
    }
    return this.issue(admin, began);
  }

  /** Resolves an Authorization header to a principal, or throws 401. */
  async authenticate(header: string | undefined): Promise<Principal> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match) throw new DomainError(ErrorCode.Unauthenticated, 'missing bearer token');
    const credential = match[1];

    if (this.tokens.looksLikeApiToken(credential)) {
      const token = await this.tokens.findByToken(credential);
      if (!token) throw new DomainError(ErrorCode.Unauthenticated, 'invalid or expired API token');
      return { kind: 'token', id: token.id, name: token.name, role: token.role, scopes: new Set(token.scopes) };
    }
    let claims: AccessTokenClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims>(credential, { algorithms: ['HS256'] });
    } catch {
      throw new DomainError(ErrorCode.Unauthenticated, 'invalid or expired access token');
    }
    if (typeof claims.exp !== 'number') {
      throw new DomainError(ErrorCode.Unauthenticated, 'access token without an expiry; log in again');
    }
    const admin = Number.isSafeInteger(claims.sub) ? await this.admins.findOneBy({ id: claims.sub }) : null;
    if (!admin || admin.disabled || admin.tokenVersion !== (claims.ver ?? 0)) {
      throw new DomainError(ErrorCode.Unauthenticated, 'access token revoked; log in again');
    }
    // The role is read at each request: a change applies to the admin's open sessions at once.
    return {
      kind: 'admin',
      id: admin.id,
      name: admin.username,
      role: admin.role,
      scopes: new Set(ROLE_SCOPES[admin.role]),
    };
  }

  /** The caller as the SPA and scripts see it: who, which role or preset, which scopes. */
  whoAmI(principal: Principal): WhoAmI {
    const { kind, id, name, role, scopes } = principal;
    return { kind, id, name, role, scopes: [...scopes] };
  }

  private async issue(admin: Admin, sessionBegan = Math.floor(Date.now() / 1000)): Promise<LoginResponse> {
    const claims: AccessTokenClaims = {
      sub: admin.id,
      username: admin.username,
      ver: admin.tokenVersion,
      auth: sessionBegan,
    };
    return {
      accessToken: await this.jwt.signAsync(claims, { expiresIn: this.config.jwtTtlSeconds }),
      expiresIn: this.config.jwtTtlSeconds,
    };
  }

  private async sessionAdmin(principal: Principal): Promise<Admin> {
    if (principal.kind !== 'admin') {
      throw new DomainError(ErrorCode.Forbidden, 'only an admin logged in with a password has a session to manage');
    }
    const admin = await this.admins.findOneBy({ id: principal.id });
    if (!admin) throw new DomainError(ErrorCode.Unauthenticated, 'this admin no longer exists');
    return admin;
  }
}
