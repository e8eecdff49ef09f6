export const ROLES = ['admin', 'bot', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface LoginRequest {
  username: string;
  password: string;
}

export interface LoginResponse {
  accessToken: string;
  expiresIn: number;
}

export interface ApiTokenView {
  id: number;
  name: string;
  role: Role;
  prefix: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** Returned once, at creation: the only time the secret is shown. */
export interface CreatedApiToken extends ApiTokenView {
  token: string;
}
