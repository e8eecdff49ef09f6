import { Injectable, OnModuleInit } from '@nestjs/common';
import { NodeLifecycle } from '../nodes/node-lifecycle';
import { AccessSyncService } from './access-sync.service';

/**
 * Access changes made while a node was away (a disable, an expiry) must be on it before it serves again; while it
 * serves, each passing check catches up the ones behind.
 */
@Injectable()
export class AccessServingGate implements OnModuleInit {
  constructor(
    private readonly lifecycle: NodeLifecycle,
    private readonly access: AccessSyncService,
  ) {}

  onModuleInit(): void {
    this.lifecycle.beforeServing('access', async (node) => {
      const behind = await this.access.applyPending(node.id);
      return behind ? `${behind} users' access changes not applied yet` : null;
    });
    this.lifecycle.whileServing('access', async (node) => {
      await this.access.applyPending(node.id);
    });
  }
}
