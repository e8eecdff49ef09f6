import { Injectable } from '@nestjs/common';
import { UserView } from '@fleet/contract';
import { UsersService } from '../users/users.service';
import { MoveEngine } from './move-engine.service';

/** An admin's move of one user to a chosen node; answers the user as the caller may see it (`showSecrets`). */
@Injectable()
export class UserMigrationService {
  constructor(
    private readonly users: UsersService,
    private readonly engine: MoveEngine,
  ) {}

  async migrate(
    id: number,
    nodeId: number,
    actor: string,
    showSecrets = false,
  ): Promise<UserView & { sourceCleaned: boolean }> {
    await this.users.get(id, false);
    const result = await this.engine.move(id, { targetNodeId: nodeId, reason: 'manual', actor });
    return { ...(await this.users.get(id, showSecrets)), sourceCleaned: result.sourceCleaned };
  }
}
