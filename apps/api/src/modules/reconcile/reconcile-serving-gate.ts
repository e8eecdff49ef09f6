import { Injectable, OnModuleInit } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';
import { NodeLifecycle } from '../nodes/node-lifecycle';
import { ReconcileService } from './reconcile.service';

/** A node about to serve (again) is reconciled first; if that cannot be done, it does not serve yet. */
@Injectable()
export class ReconcileServingGate implements OnModuleInit {
  constructor(
    private readonly lifecycle: NodeLifecycle,
    private readonly reconcile: ReconcileService,
  ) {}

  onModuleInit(): void {
    this.lifecycle.beforeServing('reconcile', async (node) => {
      try {
        await this.reconcile.reconcile(node.id);
        return null;
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        return `reconcile: ${error.message}`;
      }
    });
  }
}
