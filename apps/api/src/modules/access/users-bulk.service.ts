import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { BulkItemResult, BulkResult, ErrorCode } from '@fleet/contract';
import { eachLimited } from '../../common/batching/each-limited';
import { DomainError } from '../../common/errors/domain-error';
import type { IdempotentRequest } from '../../common/http/idempotency-key';
import { UserMigrationService } from '../assignments/user-migration.service';
import { AccessService } from './access.service';

/** Users acted on at once: each action writes to panels, whose writes queue per panel anyway. */
const AT_ONCE = 4;

/**
 * The users table's bulk actions: each user goes through the same service call as its single-user route, and gets
 * its own outcome (one refusal does not stop the others).
 */
@Injectable()
export class UsersBulkService {
  private readonly logger = new Logger(UsersBulkService.name);

  constructor(
    private readonly access: AccessService,
    private readonly migration: UserMigrationService,
  ) {}

  /** With an Idempotency-Key, each user's extension is idempotent on its own: a repeated request extends none twice. */
  extend(ids: number[], days: number, idempotent: IdempotentRequest | null, actor: string): Promise<BulkResult> {
    return this.each(ids, (id) => this.access.extend(id, days, idempotent && perUser(idempotent, id), actor));
  }

  setEnabled(ids: number[], enabled: boolean, actor: string): Promise<BulkResult> {
    return this.each(ids, (id) => this.access.update(id, { enabled }, actor));
  }

  migrate(ids: number[], nodeId: number, actor: string): Promise<BulkResult> {
    return this.each(ids, (id) => this.migration.migrate(id, nodeId, actor));
  }

  remove(ids: number[], actor: string): Promise<BulkResult> {
    return this.each(ids, (id) => this.access.remove(id, actor));
  }

  private async each(ids: number[], act: (id: number) => Promise<unknown>): Promise<BulkResult> {
    const results: BulkItemResult[] = new Array(ids.length);
    await eachLimited(ids, AT_ONCE, async (id, index) => {
      try {
        await act(id);
        results[index] = { id, ok: true };
      } catch (error) {
        if (error instanceof DomainError) {
          results[index] = { id, ok: false, code: error.code, message: error.message };
        } else {
          this.logger.error(`bulk action on user ${id} failed`, error as Error);
          results[index] = { id, ok: false, code: ErrorCode.Internal, message: 'internal error' };
        }
      }
    });
    const done = results.filter((result) => result.ok).length;
    return { done, failed: results.length - done, results };
  }
}

/** The request's key narrowed to one user (the keys table holds one answer per key). */
function perUser(request: IdempotentRequest, userId: number): IdempotentRequest {
  const key = createHash('sha256').update(`${request.key}\n${userId}`).digest('hex');
  return { ...request, key, route: `${request.route}#${userId}` };
}
