import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Scope } from '@fleet/contract';

export const PERMISSION_KEY = 'requiredPermission';
export const PUBLIC_KEY = 'isPublic';

/** What a route needs: a scope, an admin's own password session (their account, not a token's), or any credential. */
export type Permission = Scope | typeof SESSION | typeof ANY_CREDENTIAL;
export const SESSION = 'session';
export const ANY_CREDENTIAL = 'any';

/** On an operation of the OpenAPI document: the scope it needs, or `session`. */
export const PERMISSION_EXTENSION = 'x-required-scope';

/** The scope a route (or every route of a controller) needs; a route that names none is refused to everyone. */
export const Requires = (permission: Permission) =>
  applyDecorators(SetMetadata(PERMISSION_KEY, permission), ApiExtension(PERMISSION_EXTENSION, permission));

/** Only an admin logged in with a password, whatever their role: their own account and session. */
export const SessionOnly = () => Requires(SESSION);

/** Marks a public operation in the OpenAPI document until `describeApi` turns it into `security: []`. */
export const PUBLIC_EXTENSION = 'x-public';

/** No credentials needed (login, health probes, subscription links). */
export const Public = () => applyDecorators(SetMetadata(PUBLIC_KEY, true), ApiExtension(PUBLIC_EXTENSION, true));
