import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ErrorCode, Role } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { AuthService } from './auth.service';
import { PUBLIC_KEY, ROLES_KEY } from '../../common/http/roles.decorator';

/** Global guard: every route needs a valid bearer credential with an allowed role unless marked @Public. */
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

    const allowed = this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? ['admin'];
    if (!allowed.includes(principal.role)) {
      throw new DomainError(ErrorCode.Forbidden, `the ${principal.role} role may not use this route`);
    }
    return true;
  }
}
