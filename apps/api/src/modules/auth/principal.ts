import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Role } from '@fleet/contract';

/** Who is calling: an admin logged in with a password, or a machine with an API token. */
export interface Principal {
  kind: 'admin' | 'token';
  id: number;
  name: string;
  role: Role;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/** How the principal appears in the events log. */
export function actorOf(principal: Principal): string {
  return `${principal.kind}:${principal.name}`;
}

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => context.switchToHttp().getRequest().principal,
);
