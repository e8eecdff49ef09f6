import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { Repository } from 'typeorm';
import { ApiTokenView, CreatedApiToken, ErrorCode, EventType, Role } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { EventsService } from '../events/events.service';
import { ApiToken } from './api-token.entity';

const TOKEN_PREFIX = 'fleet_';
/** last_used_at is refreshed at most this often, so authenticating does not write on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

@Injectable()
export class ApiTokensService {
  constructor(
    @InjectRepository(ApiToken) private readonly tokens: Repository<ApiToken>,
    private readonly events: EventsService,
  ) {}

  looksLikeApiToken(credential: string): boolean {
    return credential.startsWith(TOKEN_PREFIX);
  }

  async findByToken(token: string): Promise<ApiToken | null> {
    const row = await this.tokens.findOneBy({ tokenHash: sha256(token) });
    if (row && (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS)) {
      await this.tokens.update(row.id, { lastUsedAt: new Date() });
    }
    return row;
  }

  async create(name: string, role: Role, actor: string): Promise<CreatedApiToken> {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const row = await this.tokens.save(
      this.tokens.create({ name, role, tokenHash: sha256(token), prefix: token.slice(0, 12), createdBy: actor }),
    );
    await this.events.record({ type: EventType.TokenCreated, actor, payload: { tokenId: row.id, name, role } });
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
    prefix: row.prefix,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}
