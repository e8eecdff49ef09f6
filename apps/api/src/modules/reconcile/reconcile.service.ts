import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ErrorCode, EventType } from '@fleet/contract';
import { inboundClients, PanelClient, PanelDuplicateEmailError, PanelError } from '@fleet/xui-client';
import { DomainError } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { AccessSyncService } from '../access/access-sync.service';
import { AssignmentsRepository } from '../assignments/assignments.repository';
import { panelClientFor, userIdOfEmail } from '../assignments/panel-identity';
import { TombstonesRepository } from '../assignments/tombstones.repository';
import { TombstonesService } from '../assignments/tombstones.service';
import { EventsService } from '../events/events.service';
import { MetricsService, nodeLabels } from '../metrics/metrics.service';
import { InboundSnapshot, NodeEntity } from '../nodes/node.entity';
import { inboundSnapshot, inboundUnfit, snapshotChanges } from '../nodes/inbound-snapshot';
import { NodesRepository } from '../nodes/nodes.repository';
import { PanelPoolService } from '../panels/panel-pool.service';
import { RecentInbounds } from '../panels/recent-inbounds';
import { PanelWriterService } from '../panels/panel-writer.service';
import { UsageRepository } from '../usage/usage.repository';
import { DriftRecord, NodeDriftRepository } from '../nodes/node-drift.repository';
import { DesiredClient, diffNode, DriftSample, NodeDrift, SAMPLE_SIZE } from './reconcile-diff';
import { ReconcileRepository } from './reconcile.repository';

/**
 * Makes a node's panel agree with the database: its users' clients present with the fields we own, no client of
 * ours that no user should have there, the operator's own clients untouched. The database is read before the panel,
 * and every correction is checked against the database again right before it is written (a user placed or moved
 * meanwhile is never undone). Corrections go through the same paths as everything else: the panel writer for
 * missing clients, the access sync for changed ones, tombstones (last counters booked first) for extra ones.
 */
@Injectable()
export class ReconcileService {
  private readonly logger = new Logger(ReconcileService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly nodes: NodesRepository,
    private readonly assignments: AssignmentsRepository,
    private readonly reconcileReads: ReconcileRepository,
    private readonly tombstones: TombstonesRepository,
    private readonly tombstoneRunner: TombstonesService,
    private readonly writer: PanelWriterService,
    private readonly pool: PanelPoolService,
    private readonly recentInbounds: RecentInbounds,
    private readonly sync: AccessSyncService,
    private readonly events: EventsService,
    private readonly drift: NodeDriftRepository,
    private readonly metrics: MetricsService,
    private readonly usage: UsageRepository,
  ) {}

  /** Reconciles one node now; `dryRun` (or RECONCILE_MODE=report) records the drift without writing. */
  async reconcile(nodeId: number, options: { dryRun?: boolean } = {}): Promise<DriftRecord> {
    const node = await this.nodes.findById(nodeId);
    if (!node) throw new DomainError(ErrorCode.NodeNotFound, `node ${nodeId} not found`);
    return this.reconcileNode(node, options);
  }

  /**
   * The same, for a node already read (the scheduled pass reads them all at once). `reuseWithinMs`: the node's
   * inbound as the usage pass read it at most this long ago serves instead of another panel call (what changed since
   * is caught by the checks made right before each correction, or by the next pass).
   */
  async reconcileNode(node: NodeEntity, { dryRun = false, reuseWithinMs = 0 } = {}): Promise<DriftRecord> {
    if (!node.inboundId || !node.inboundSnapshot) return this.record(node, emptyDrift(), 0, true);
    const reportOnly = dryRun || this.config.reconcileMode === 'report';
    const recent = reuseWithinMs > 0 ? this.recentInbounds.take(node.id, reuseWithinMs) : null;
    const wanted = await this.desiredOn(node);
    const inbound = recent ? recent.inbound : await this.readInbound(node);
    const unfit = inboundUnfit(inbound);
    if (unfit) {
      // Nothing to repair here: the health check fails the node on it, so its users are moved as in failover.
      const drift = { ...emptyDrift(), inbound: [unfit.field] };
      drift.sample.push({ kind: 'inbound', email: '', field: unfit.field });
      await this.record(node, drift, 0, reportOnly);
      throw new DomainError(ErrorCode.NodeNotEligible, `${node.name}: inbound ${node.inboundId} is ${unfit.reason}`);
    }
    const snapshot = inboundSnapshot(inbound!);
    const inboundChanged = snapshotChanges(node.inboundSnapshot, snapshot);
    const actual = inboundClients(inbound!);
    // Clients are compared with the inbound as it is now (a new protocol keys its clients differently).
    const drift = diffNode({
      protocol: snapshot.protocol,
      desired: this.clientsFor(node, snapshot, wanted.active, wanted.counters),
      actual,
      pending: wanted.pending,
      tombstoned: wanted.tombstoned,
      ours: await this.oursOn(node, actual),
    });
    drift.inbound = inboundChanged;
    drift.sample = [
      ...inboundChanged.map((field) => inboundSample(field, node.inboundSnapshot!, snapshot)),
      ...drift.sample,
    ].slice(0, SAMPLE_SIZE);
    let corrected = 0;
    if (!reportOnly) {
      if (inboundChanged.length) {
        await this.nodes.refreshInbound(node.id, snapshot);
        node.inboundSnapshot = snapshot;
        corrected++;
      }
      corrected += await this.repair(node, drift);
    }
    return this.record(node, drift, corrected, reportOnly);
  }

  private async readInbound(node: NodeEntity) {
    const inbounds = await this.pool
      .run(node, (panel) => panel.listInbounds())
      .catch((error: unknown) => {
        if (!(error instanceof PanelError)) throw error;
        throw new DomainError(ErrorCode.NodeUnreachable, `${node.name}: ${error.message}`);
      });
    return inbounds.find((candidate) => candidate.id === node.inboundId);
  }

  /** The node's live clients as the database has them (read before the panel), those being placed, those that must go. */
  private async desiredOn(node: NodeEntity) {
    const live = await this.reconcileReads.liveClients(node.id);
    const active = live.filter((row) => row.state === 'active' && row.inboundId === node.inboundId);
    return {
      active,
      counters: await this.usage.countersOn(
        node.id,
        active.map((row) => row.clientEmail),
      ),
      pending: new Set(live.filter((row) => row.state === 'pending').map((row) => row.clientEmail.toLowerCase())),
      tombstoned: await this.reconcileReads.tombstonedEmails(node.id),
    };
  }

  /** The clients the database wants on the inbound, with the fields they must carry. */
  private clientsFor(
    node: NodeEntity,
    snapshot: InboundSnapshot,
    active: Awaited<ReturnType<ReconcileService['desiredOn']>>['active'],
    counters: Map<string, number>,
  ): DesiredClient[] {
    return active.map((row) => {
      const quota = { multiplier: node.usageMultiplier, counterBytes: counters.get(row.clientEmail) ?? 0 };
      return {
        userId: row.user.id,
        client: { ...panelClientFor(row.user, node.id, snapshot, quota), email: row.clientEmail },
      };
    });
  }

  /** Tells our clients (our naming, or adopted once on this node) from the operator's. */
  private async oursOn(node: NodeEntity, actual: PanelClient[]) {
    const adopted = await this.assignments.emailsEverOn(node.id, actual.map((client) => client.email).filter(Boolean));
    return (email: string) => userIdOfEmail(email) !== null || adopted.has(email.toLowerCase());
  }

  /** Writes the corrections, at most RECONCILE_MAX_WRITES; answers how many were made. */
  private async repair(node: NodeEntity, drift: NodeDrift): Promise<number> {
    let budget = this.config.reconcileMaxWrites;
    let corrected = 0;
    const liveNow = () => this.reconcileReads.liveEmails(node.id);

    const missing = drift.missing.slice(0, budget);
    if (missing.length) {
      const live = await liveNow();
      const adds = missing.filter((item) => live.has(item.client.email.toLowerCase()));
      const outcomes = await Promise.allSettled(
        adds.map((item) => this.writer.addClient(node, node.inboundId!, item.client)),
      );
      // A duplicate email: the client is there after all (made meanwhile), which is what we wanted: not a correction.
      corrected += outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
      const failure = outcomes.find(
        (outcome): outcome is PromiseRejectedResult =>
          outcome.status === 'rejected' && !(outcome.reason instanceof PanelDuplicateEmailError),
      );
      if (failure) this.logger.warn(`re-creating clients on ${node.name}: ${(failure.reason as Error).message}`);
      budget -= adds.length;
    }

    const changed = drift.changed.slice(0, Math.max(0, budget));
    if (changed.length) {
      await this.assignments.markAccessStale(
        node.id,
        changed.map((item) => item.userId),
      );
      let failed = 0;
      // The access sync catches up at most 500 clients per call.
      for (let round = 0; round * 500 < changed.length; round++) failed = await this.sync.applyPending(node.id);
      corrected += Math.max(0, changed.length - failed);
      budget -= changed.length;
    }

    const extra = drift.extra.slice(0, Math.max(0, budget));
    if (extra.length) {
      const live = await liveNow();
      const removable = extra.filter((item) => item.tombstoned || !live.has(item.email.toLowerCase()));
      const stray = removable.filter((item) => !item.tombstoned);
      await this.dataSource.transaction((manager) =>
        this.tombstones.record(
          stray.map((item) => ({
            nodeId: node.id,
            inboundId: node.inboundId!,
            clientEmail: item.email,
            clientUuid: null,
            reason: 'reconcile',
          })),
          manager,
        ),
      );
      const emails = removable.map((item) => item.email);
      corrected += (await this.tombstoneRunner.runDue({ nodeId: node.id, emails })).done;
    }
    return corrected;
  }

  private async record(node: NodeEntity, drift: NodeDrift, corrected: number, dryRun: boolean) {
    const record: DriftRecord = {
      nodeId: node.id,
      checkedAt: new Date(),
      missing: drift.missing.length,
      extra: drift.extra.length,
      changed: drift.changed.length,
      foreign: drift.foreign,
      inbound: drift.inbound,
      corrected,
      dryRun,
      sample: drift.sample,
    };
    await this.drift.save(record);
    if (corrected > 0) {
      this.metrics.reconcileCorrections.inc(nodeLabels(node), corrected);
      await this.events.record({
        type: EventType.ReconcileCorrected,
        actor: 'system:reconcile',
        nodeId: node.id,
        payload: {
          node: node.name,
          missing: record.missing,
          changed: record.changed,
          extra: record.extra,
          inbound: record.inbound,
          corrected,
        },
      });
    }
    return record;
  }

  /** The last reconcile of a node (zeros and no time when it was never reconciled). */
  async last(nodeId: number): Promise<DriftRecord | ({ checkedAt: null } & Omit<DriftRecord, 'checkedAt'>)> {
    if (!(await this.nodes.findById(nodeId))) throw new DomainError(ErrorCode.NodeNotFound, `node ${nodeId} not found`);
    return (
      (await this.drift.find(nodeId)) ?? {
        nodeId,
        checkedAt: null,
        missing: 0,
        extra: 0,
        changed: 0,
        foreign: 0,
        inbound: [],
        corrected: 0,
        dryRun: false,
        sample: [],
      }
    );
  }
}

function emptyDrift(): NodeDrift {
  return { missing: [], changed: [], extra: [], foreign: 0, inbound: [], sample: [] };
}

/** Settings and stream settings may hold keys (a reality private key, a shadowsocks password): named, not shown. */
function inboundSample(field: string, was: InboundSnapshot, now: InboundSnapshot): DriftSample {
  if (field === 'port' || field === 'protocol' || field === 'remark') {
    return { kind: 'inbound', email: '', field, panel: now[field], desired: was[field] };
  }
  return { kind: 'inbound', email: '', field };
}
