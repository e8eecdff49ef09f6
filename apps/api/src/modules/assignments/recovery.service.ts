import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PanelError } from '@fleet/xui-client';
import { BackgroundLoop } from '../../common/background/background-loop';
import { LockKey, tryAdvisoryLock } from '../../common/database/advisory-lock';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { NodesRepository } from '../nodes/nodes.repository';
import { UsersRepository } from '../users/users.repository';
import { Assignment } from './assignment.entity';
import { AssignmentsRepository } from './assignments.repository';
import { MoveEngine } from './move-engine.service';
import { TombstonesRepository } from './tombstones.repository';
import { TombstonesService } from './tombstones.service';

const BATCH = 200;
/** A pending row whose panel stays unreachable this many timeouts is rolled back; a tombstone cleans up later. */
const GIVE_UP_FACTOR = 10;

/**
 * Finishes what a crash left half-done, on one replica at a time (advisory locks): at start-up and periodically,
 * each pending assignment older than PENDING_TIMEOUT_SECONDS is checked against its panel — client there →
 * completed (activated, or the move switched over); not there → rolled back — and due tombstones are carried out.
 */
@Injectable()
export class RecoveryService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RecoveryService.name);
  private readonly pendingLoop = new BackgroundLoop('pending-assignments', () => this.resolveStale());
  private readonly tombstoneLoop = new BackgroundLoop('panel-tombstones', () => this.runTombstones());

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly assignments: AssignmentsRepository,
    private readonly users: UsersRepository,
    private readonly nodes: NodesRepository,
    private readonly engine: MoveEngine,
    private readonly tombstones: TombstonesService,
    private readonly tombstoneRows: TombstonesRepository,
  ) {}

  onApplicationBootstrap(): void {
    const every = Math.max(this.config.backgroundTickMs, 1000);
    this.pendingLoop.start(this.scheduler, Math.min(every * 5, this.config.pendingTimeoutSeconds * 1000));
    this.tombstoneLoop.start(this.scheduler, every * 5);
    void this.pendingLoop.kick(); // what a crash left behind is resolved at start-up, not only at the next tick
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.pendingLoop.idle(), this.tombstoneLoop.idle()]);
  }

  /** Deletes moved users' clients from panels soon (moves in bulk leave this to the loop). */
  kickTombstones(): void {
    void this.tombstoneLoop.kick();
  }

  private async runTombstones(): Promise<void> {
    await tryAdvisoryLock(this.dataSource, LockKey.Tombstones, () => this.tombstones.runDue());
  }

  /** Resolves every pending assignment older than `olderThanSeconds`; returns how many were resolved. */
  async resolveStale(olderThanSeconds = this.config.pendingTimeoutSeconds): Promise<number> {
    const outcome = await tryAdvisoryLock(this.dataSource, LockKey.PendingAssignments, async () => {
      let resolved = 0;
      for (const pending of await this.assignments.stalePending(olderThanSeconds, BATCH)) {
        if (await this.resolve(pending, olderThanSeconds)) resolved++;
      }
      return resolved;
    });
    return outcome.ran ? outcome.result : 0;
  }

  private async resolve(pending: Assignment, timeoutSeconds: number): Promise<boolean> {
    const node = await this.nodes.findById(pending.nodeId);
    const user = await this.users.findById(pending.userId);
    if (!node || !user) {
      await this.engine.rollback([pending]);
      return true;
    }
    let present: boolean;
    try {
      present = (await this.engine.findClient(node, pending.inboundId, pending.clientEmail)) !== null;
    } catch (error) {
      const ageSeconds = (Date.now() - pending.createdAt.getTime()) / 1000;
      if (!(error instanceof PanelError) || ageSeconds < timeoutSeconds * GIVE_UP_FACTOR) return false;
      // The panel stayed away: give the seat back, and make sure the client goes if the panel comes back.
      await this.dataSource.transaction(async (manager) => {
        await this.engine.rollback([pending], manager);
        await this.tombstoneRows.record(
          [
            {
              nodeId: node.id,
              inboundId: pending.inboundId,
              clientEmail: pending.clientEmail,
              clientUuid: user.uuid,
              reason: 'abandoned',
            },
          ],
          manager,
        );
      });
      this.logger.warn(`gave up pending assignment ${pending.id} on unreachable node ${node.name}`);
      return true;
    }
    if (!present) await this.engine.rollback([pending]);
    else {
      const { active } = await this.assignments.live(pending.userId);
      await this.engine.switchOver([{ pending, from: active, reason: 'recovery', actor: 'system:recovery' }]);
      if (active) await this.tombstones.runDue({ nodeId: active.nodeId, emails: [active.clientEmail] });
    }
    this.logger.log(
      `pending assignment ${pending.id} of user ${pending.userId}: ${present ? 'completed' : 'rolled back'}`,
    );
    return true;
  }
}
