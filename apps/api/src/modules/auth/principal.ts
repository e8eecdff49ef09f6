import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AdminRole, Scope, TokenPreset } from '@fleet/contract';

/** Who is calling: an admin logged in with a password, or a machine with an API token; and what it may do. */
export interface Principal {
  kind: 'admin' | 'token';
  id: number;
  name: string;
  /** The admin's role, or the token's preset (null: scopes picked one by one). */
  role: AdminRole | TokenPreset | null;
  scopes: ReadonlySet<Scope>;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/** Whether users' credentials (client UUIDs, keys) may be shown to the caller. */
export const seesSecrets = (principal: Principal) => principal.scopes.has('users:secrets');

/** How the principal appears in the events log. */
export function actorOf(principal: Principal): string {
  return `${principal.kind}:${principal.name}`;
}

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => context.switchToHttp().getRequest().principal,
);
