import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { Repository } from 'typeorm';
import {
  ApiTokenView,
  CreatedApiToken,
  ErrorCode,
  EventType,
  presetScopes,
  Scope,
  SCOPES,
  TokenPreset,
} from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { EventsService } from '../events/events.service';
import { ApiToken } from './api-token.entity';

const TOKEN_PREFIX = 'fleet_';
/** last_used_at is refreshed at most this often, so authenticating does not write on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** What a new token may do: a preset, or scopes picked one by one; and until when. */
export interface TokenGrant {
  role?: TokenPreset;
  scopes?: Scope[];
  expiresAt?: Date | null;
}

@Injectable()
export class ApiTokensService {
  constructor(
    @InjectRepository(ApiToken) private readonly tokens: Repository<ApiToken>,
    private readonly events: EventsService,
  ) {}

  looksLikeApiToken(credential: string): boolean {
    return credential.startsWith(TOKEN_PREFIX);
  }

  /** The token's row while it is valid (not revoked, not expired). */
  async findByToken(token: string): Promise<ApiToken | null> {
    const row = await this.tokens.findOneBy({ tokenHash: sha256(token) });
    if (!row || (row.expiresAt && row.expiresAt.getTime() <= Date.now())) return null;
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.tokens.update(row.id, { lastUsedAt: new Date() });
    }
    return row;
  }

  async create(name: string, grant: TokenGrant, actor: string): Promise<CreatedApiToken> {
    if ((grant.role === undefined) === (grant.scopes === undefined)) {
      throw new DomainError(ErrorCode.ValidationFailed, 'give either role (a preset) or scopes, not both');
    }
    if (grant.expiresAt && grant.expiresAt.getTime() <= Date.now()) {
      throw new DomainError(ErrorCode.ValidationFailed, 'expiresAt must be in the future');
    }
    const role = grant.role === 'admin' ? 'owner' : (grant.role ?? null);
    // Stored in the contract's order, each once.
    const scopes = SCOPES.filter((scope) => (role ? presetScopes(role) : grant.scopes!).includes(scope));
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const row = await this.tokens.save(
      this.tokens.create({
        name,
        role,
        scopes,
        expiresAt: grant.expiresAt ?? null,
        tokenHash: sha256(token),
        prefix: token.slice(0, 12),
        createdBy: actor,
      }),
    );
    await this.events.record({
      type: EventType.TokenCreated,
      actor,
      payload: { tokenId: row.id, name, role, scopes, expiresAt: row.expiresAt?.toISOString() ?? null },
    });
    return { ...mapApiToken(row), token };
  }

  async list(): Promise<ApiTokenView[]> {
    return (await this.tokens.find({ order: { id: 'ASC' } })).map(mapApiToken);
  }

  async remove(id: number, actor: string): Promise<void> {
    const row = await this.tokens.findOneBy({ id });
    if (!row) throw new DomainError(ErrorCode.TokenNotFound, `API token ${id} not found`);
    await this.tokens.delete(id);
    await this.events.record({ type: EventType.TokenDeleted, actor, payload: { tokenId: id, name: row.name } });
  }
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function mapApiToken(row: ApiToken): ApiTokenView {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    scopes: row.scopes,
    prefix: row.prefix,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}
