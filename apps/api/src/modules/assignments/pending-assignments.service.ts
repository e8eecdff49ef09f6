import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PanelError } from '@fleet/xui-client';
import { BackgroundLoop } from '../../common/background/background-loop';
import { LockKey } from '../../common/database/advisory-lock';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { NodesRepository } from '../nodes/nodes.repository';
import { Assignment } from './assignment.entity';
import { AssignmentsRepository } from './assignments.repository';
import { PlacementService } from './placement.service';
import { TombstonesService } from './tombstones.service';
import { UserMoveService } from './user-move.service';

const BATCH = 200;
/** A pending row whose panel stays unreachable this many timeouts is rolled back; a tombstone cleans up later. */
const GIVE_UP_FACTOR = 10;

/**
 * Resolves placements and moves a crash left half-done: at start-up and periodically, each pending assignment older
 * than PENDING_TIMEOUT_SECONDS is checked against its panel. Client there → completed (activated, or the move
 * switched over); not there → rolled back. Only one replica does this at a time (advisory lock).
 */
@Injectable()
export class PendingAssignmentsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PendingAssignmentsService.name);
  private readonly loop = new BackgroundLoop('pending-assignments', () => this.resolveStale());
  private readonly tombstoneLoop = new BackgroundLoop('panel-tombstones', () => this.tombstones.runDue());

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly assignments: AssignmentsRepository,
    private readonly nodes: NodesRepository,
    private readonly placement: PlacementService,
    private readonly moves: UserMoveService,
    private readonly tombstones: TombstonesService,
  ) {}

  onApplicationBootstrap(): void {
    const every = Math.max(this.config.backgroundTickMs, 1000);
    this.loop.start(this.scheduler, Math.min(every * 5, this.config.pendingTimeoutSeconds * 1000));
    this.tombstoneLoop.start(this.scheduler, every * 5);
    void this.loop.kick(); // what a crash left behind is resolved at start-up, not only at the next tick
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.loop.idle(), this.tombstoneLoop.idle()]);
  }

  /** Resolves every pending assignment older than `olderThanSeconds`; returns how many were resolved. */
  async resolveStale(olderThanSeconds = this.config.pendingTimeoutSeconds): Promise<number> {
    const lock = this.dataSource.createQueryRunner();
    await lock.connect();
    try {
      const [{ locked }] = await lock.query('SELECT pg_try_advisory_lock($1) AS locked', [LockKey.PendingAssignments]);
      if (!locked) return 0;
      try {
        let resolved = 0;
        for (const pending of await this.assignments.stalePending(olderThanSeconds, BATCH)) {
          if (await this.resolve(pending, olderThanSeconds)) resolved++;
        }
        return resolved;
      } finally {
        await lock.query('SELECT pg_advisory_unlock($1)', [LockKey.PendingAssignments]);
      }
    } finally {
      await lock.release();
    }
  }

  private async resolve(pending: Assignment, timeoutSeconds: number): Promise<boolean> {
    const node = await this.nodes.findById(pending.nodeId);
    const user = await this.assignments.findUserById(pending.userId);
    if (!node || !user) {
      await this.placement.rollback(pending);
      return true;
    }
    let present: boolean;
    try {
      present = (await this.placement.findClient(node, pending.inboundId, pending.clientEmail)) !== null;
    } catch (error) {
      const ageSeconds = (Date.now() - pending.createdAt.getTime()) / 1000;
      if (!(error instanceof PanelError) || ageSeconds < timeoutSeconds * GIVE_UP_FACTOR) return false;
      // The panel stayed away: give the seat back, and make sure the client goes if the panel comes back.
      await this.dataSource.transaction(async (manager) => {
        await this.placement.rollback(pending, manager);
        await this.tombstones.record(manager, {
          nodeId: node.id,
          inboundId: pending.inboundId,
          clientEmail: pending.clientEmail,
          clientUuid: user.uuid,
          reason: 'abandoned',
        });
      });
      this.logger.warn(`gave up pending assignment ${pending.id} on unreachable node ${node.name}`);
      return true;
    }
    const { active } = await this.assignments.live(pending.userId);
    if (!present) await this.placement.rollback(pending);
    else if (!active) await this.dataSource.transaction((manager) => this.assignments.activate(pending.id, manager));
    else {
      const { tombstone } = await this.moves.completeMove(pending, { reason: 'recovery', actor: 'system:recovery' });
      await this.tombstones.carryOut(tombstone);
    }
    this.logger.log(
      `pending assignment ${pending.id} of user ${pending.userId}: ${present ? 'completed' : 'rolled back'}`,
    );
    return true;
  }
}
