import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { inboundClients, PanelError } from '@fleet/xui-client';
import { BackgroundLoop } from '../../common/background/background-loop';
import { LockKey, tryAdvisoryLock } from '../../common/database/advisory-lock';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { NodesService } from '../nodes/nodes.service';
import { PanelPoolService } from '../panels/panel-pool.service';
import { UsersService } from '../users/users.service';
import { Assignment } from './assignment.entity';
import { AssignmentsRepository } from './assignments.repository';
import { departureOf, MoveEngine, seatKey } from './move-engine.service';
import type { MoveReason } from './move.types';
import { TombstonesService } from './tombstones.service';

const BATCH = 200;
/** A pending row whose panel stays unreachable this many timeouts is rolled back; a tombstone cleans up later. */
const GIVE_UP_FACTOR = 10;

/**
 * Finishes what a crash left half-done, on one replica at a time (advisory locks): at start-up and periodically,
 * each pending assignment older than PENDING_TIMEOUT_SECONDS is checked against its panel — client there →
 * completed (activated, or the move switched over); not there → rolled back — and due tombstones are carried out.
 * A job taken over from a replica whose lease ran out has that replica's pending rows resolved the same way at once.
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
    private readonly users: UsersService,
    private readonly nodes: NodesService,
    private readonly engine: MoveEngine,
    private readonly tombstones: TombstonesService,
    private readonly pool: PanelPoolService,
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
    const outcome = await tryAdvisoryLock(this.dataSource, LockKey.PendingAssignments, async () =>
      this.resolve(await this.assignments.stalePending(olderThanSeconds, BATCH), {
        reason: 'recovery',
        actor: 'system:recovery',
        giveUpAfterSeconds: olderThanSeconds * GIVE_UP_FACTOR,
      }),
    );
    return outcome.ran ? outcome.result : 0;
  }

  /**
   * Resolves the pending rows of these users now, whatever their age: for work whose owner is known to be gone (a
   * job taken over after its runner's lease ran out), so it need not wait PENDING_TIMEOUT_SECONDS.
   */
  async resolveUsers(userIds: number[], as: Omit<ResolveOptions, 'giveUpAfterSeconds'>): Promise<number> {
    const pendings = await this.assignments.pendingOf(userIds);
    let resolved = 0;
    for (let i = 0; i < pendings.length; i += BATCH) resolved += await this.resolve(pendings.slice(i, i + BATCH), as);
    return resolved;
  }

  /**
   * Resolves pending rows against their panels, each node's inbound read once: a row whose client is there is
   * completed (activated, or its move switched over), one whose client is not is rolled back; a row of a deleted user
   * or of a node that is gone is rolled back (a client made for it leaves the panel through a tombstone). A row whose
   * panel does not answer stays, unless it is older than `giveUpAfterSeconds`: then it is rolled back and its client
   * tombstoned. Answers how many rows were resolved.
   */
  private async resolve(pendings: Assignment[], options: ResolveOptions): Promise<number> {
    if (!pendings.length) return 0;
    const nodes = new Map(
      (await this.nodes.findByIds([...new Set(pendings.map((row) => row.nodeId))])).map((node) => [node.id, node]),
    );
    const deleted = await this.users.deletedAmong(pendings.map((row) => row.userId));
    const complete: Assignment[] = [];
    const rollBack: Assignment[] = [];
    const abandon: Assignment[] = []; // rolled back, and the client made for it (if any) removed later
    const groups = new Map<string, Assignment[]>();
    for (const row of pendings) {
      if (!nodes.has(row.nodeId)) rollBack.push(row);
      else groups.set(`${row.nodeId}/${row.inboundId}`, [...(groups.get(`${row.nodeId}/${row.inboundId}`) ?? []), row]);
    }
    await Promise.all(
      [...groups.values()].map(async (rows) => {
        const { nodeId, inboundId } = rows[0];
        let onPanel: Set<string>;
        try {
          const inbound = await this.pool.run(nodes.get(nodeId)!, (panel) => panel.getInbound(inboundId));
          onPanel = new Set(inboundClients(inbound).map((client) => client.email.toLowerCase()));
        } catch (error) {
          if (!(error instanceof PanelError)) throw error;
          if (options.giveUpAfterSeconds === undefined) return;
          // The panel stayed away: give the seat back, and make sure the client goes if the panel comes back.
          const expired = rows.filter((row) => ageSeconds(row) >= options.giveUpAfterSeconds!);
          abandon.push(...expired);
          if (expired.length)
            this.logger.warn(`gave up ${expired.length} pending assignment(s) on unreachable node ${nodeId}`);
          return;
        }
        for (const row of rows) {
          const present = onPanel.has(row.clientEmail.toLowerCase());
          if (deleted.has(row.userId)) (present ? abandon : rollBack).push(row);
          else (present ? complete : rollBack).push(row);
        }
      }),
    );
    await this.engine.rollback(rollBack);
    if (abandon.length) {
      const identities = await this.users.identities(abandon.map((row) => row.userId));
      await this.engine.release(
        abandon.map((row) => departureOf(row, identities.get(row.userId)?.uuid ?? null)),
        'abandoned',
      );
    }
    if (complete.length) {
      const live = await this.assignments.liveOf(complete.map((row) => row.userId));
      const active = new Map(live.filter((row) => row.state === 'active').map((row) => [seatKey(row), row]));
      await this.engine.switchOver(
        complete.map((pending) => ({
          pending,
          from: active.get(seatKey(pending)) ?? null,
          reason: options.reason,
          actor: options.actor,
          jobId: options.jobId,
        })),
      );
    }
    if (complete.length || abandon.length) this.kickTombstones(); // the old clients of completed moves, and abandoned ones
    const resolved = complete.length + rollBack.length + abandon.length;
    if (resolved) {
      this.logger.log(
        `pending assignments resolved: ${complete.length} completed, ${rollBack.length + abandon.length} rolled back`,
      );
    }
    return resolved;
  }
}

export interface ResolveOptions {
  /** Recorded with the moves completed. */
  reason: MoveReason;
  actor: string;
  jobId?: number;
  /** A row whose panel does not answer is given up once this old; without it, such rows stay. */
  giveUpAfterSeconds?: number;
}

function ageSeconds(row: Assignment): number {
  return (Date.now() - row.createdAt.getTime()) / 1000;
}
