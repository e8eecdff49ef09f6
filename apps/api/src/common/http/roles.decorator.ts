import { SetMetadata } from '@nestjs/common';
import type { Role } from '@fleet/contract';

export const ROLES_KEY = 'allowedRoles';
export const PUBLIC_KEY = 'isPublic';

/** Roles allowed on a route or controller. Routes without it are admin-only. */
export const AllowRoles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** No credentials needed (login, health probes, subscription links). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
