import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Role } from '@fleet/contract';

export const ROLES_KEY = 'allowedRoles';
export const PUBLIC_KEY = 'isPublic';

/** Roles allowed on a route or controller. Routes without it are admin-only. */
export const AllowRoles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** Marks a public operation in the OpenAPI document until `describeApi` turns it into `security: []`. */
export const PUBLIC_EXTENSION = 'x-public';

/** No credentials needed (login, health probes, subscription links). */
export const Public = () => applyDecorators(SetMetadata(PUBLIC_KEY, true), ApiExtension(PUBLIC_EXTENSION, true));
