import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ErrorCode } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { AuthService } from './auth.service';
import { ANY_CREDENTIAL, Permission, PERMISSION_KEY, PUBLIC_KEY, SESSION } from '../../common/http/roles.decorator';

/**
 * Global guard: every route needs a valid bearer credential holding the permission the route names, unless marked
 * @Public. A route that names none is refused to everyone (a forgotten decorator fails closed).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;

    const request = context.switchToHttp().getRequest<Request>();
    const principal = await this.auth.authenticate(request.headers.authorization);
    request.principal = principal;

    const needed = this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, targets);
    if (needed === ANY_CREDENTIAL) return true;
    if (needed === SESSION) {
      if (principal.kind !== 'admin') {
        throw new DomainError(ErrorCode.Forbidden, 'only an admin logged in with a password may use this route');
      }
    } else if (!needed) {
      throw new DomainError(ErrorCode.Forbidden, 'this route is open to no credential');
    } else if (!principal.scopes.has(needed)) {
      throw new DomainError(ErrorCode.Forbidden, `this route needs the ${needed} scope`);
    }
    return true;
  }
}
