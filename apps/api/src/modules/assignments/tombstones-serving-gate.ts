import { Injectable, OnModuleInit } from '@nestjs/common';
import { NodeLifecycle } from '../nodes/node-lifecycle';
import { TombstonesService } from './tombstones.service';

/**
 * A node serves again only once the clients of users who moved away while it was down are deleted from its panel;
 * while it serves, each passing check deletes the ones left.
 */
@Injectable()
export class TombstonesServingGate implements OnModuleInit {
  constructor(
    private readonly lifecycle: NodeLifecycle,
    private readonly tombstones: TombstonesService,
  ) {}

  onModuleInit(): void {
    this.lifecycle.beforeServing('tombstones', async (node) => {
      const { failed } = await this.tombstones.runDue({ nodeId: node.id });
      return failed ? `${failed} moved users' clients not deleted yet` : null;
    });
    this.lifecycle.whileServing('tombstones', async (node) => {
      await this.tombstones.runDue({ nodeId: node.id });
    });
  }
}
