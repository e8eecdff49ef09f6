import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCode, EventType } from '@fleet/contract';
import { inboundClients, PanelClient, PanelDuplicateEmailError, PanelError } from '@fleet/xui-client';
import { DomainError } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { AccessSyncService } from '../access/access-sync.service';
import { AssignmentsService } from '../assignments/assignments.service';
import { panelClientFor, userIdOfEmail } from '../assignments/panel-identity';
import { MoveEngine } from '../assignments/move-engine.service';
import { EventsService } from '../events/events.service';
import { MetricsService, nodeLabels } from '../metrics/metrics.service';
import { InboundSnapshot, NodeEntity } from '../nodes/node.entity';
import { inboundSnapshot, inboundUnfit, snapshotChanges } from '../nodes/inbound-snapshot';
import { NodesService } from '../nodes/nodes.service';
import { PanelPoolService } from '../panels/panel-pool.service';
import { RecentInbounds } from '../panels/recent-inbounds';
import { PanelWriterService } from '../panels/panel-writer.service';
import { UsageLedger } from '../usage/usage-ledger.service';
import { Corrections, correctionsMade, DriftCounts, DriftRecord, NO_DRIFT } from '../nodes/node-drift';
import { DesiredClient, diffNode, DriftSample, NodeDrift, sampleOf } from './reconcile-diff';
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
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly nodes: NodesService,
    private readonly assignments: AssignmentsService,
    private readonly reconcileReads: ReconcileRepository,
    private readonly engine: MoveEngine,
    private readonly writer: PanelWriterService,
    private readonly pool: PanelPoolService,
    private readonly recentInbounds: RecentInbounds,
    private readonly sync: AccessSyncService,
    private readonly events: EventsService,
    private readonly metrics: MetricsService,
    private readonly ledger: UsageLedger,
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
   * is caught by the checks made right before each correction, or by the next pass). Records what the pass found,
   * what it corrected and what remains.
   */
  async reconcileNode(node: NodeEntity, { dryRun = false, reuseWithinMs = 0 } = {}): Promise<DriftRecord> {
    if (!node.inboundId || !node.inboundSnapshot) return this.record(node, unrepaired(emptyDrift(), true));
    const reportOnly = dryRun || this.config.reconcileMode === 'report';
    const recent = reuseWithinMs > 0 ? this.recentInbounds.take(node.id, reuseWithinMs) : null;
    const wanted = await this.desiredOn(node);
    const inbound = recent ? recent.inbound : await this.readInbound(node);
    const unfit = inboundUnfit(inbound);
    if (unfit) {
      // Nothing to repair here: the health check fails the node on it, so its users are moved as in failover.
      const drift = { ...emptyDrift(), inbound: [{ kind: 'inbound' as const, email: '', field: unfit.field }] };
      await this.record(node, unrepaired(drift, reportOnly));
      throw new DomainError(ErrorCode.NodeNotEligible, `${node.name}: inbound ${node.inboundId} is ${unfit.reason}`);
    }
    const snapshot = inboundSnapshot(inbound!);
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
    drift.inbound = snapshotChanges(node.inboundSnapshot, snapshot).map((field) =>
      inboundSample(field, node.inboundSnapshot!, snapshot),
    );
    if (reportOnly) return this.record(node, unrepaired(drift, true));
    if (drift.inbound.length) {
      await this.nodes.refreshInbound(node.id, snapshot);
      node.inboundSnapshot = snapshot;
    }
    return this.record(node, await this.repair(node, drift));
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
      counters: await this.ledger.countersOf(
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

  /**
   * Writes the corrections, at most RECONCILE_MAX_WRITES (the rest waits for the next pass); answers what was
   * corrected and what remains: writes that failed and corrections over the budget. A difference that went away by
   * itself meanwhile (a client made by a placement, a user who left) is neither.
   */
  private async repair(node: NodeEntity, found: NodeDrift): Promise<Repair> {
    let budget = this.config.reconcileMaxWrites;
    // (the inbound is taken as it is now before anything else)
    const corrected: Corrections = { missing: 0, extra: 0, changed: 0, inbound: countsOf(found).inbound };
    const remaining: NodeDrift = { missing: [], changed: [], extra: [], foreign: found.foreign, inbound: [] };
    const liveNow = () => this.reconcileReads.liveEmails(node.id);
    const withinBudget = <T>(items: T[], left: T[]) => {
      const taken = items.slice(0, Math.max(0, budget));
      left.push(...items.slice(taken.length));
      budget -= taken.length;
      return taken;
    };

    const missing = withinBudget(found.missing, remaining.missing);
    if (missing.length) {
      const live = await liveNow();
      const adds = missing.filter((item) => live.has(item.client.email.toLowerCase()));
      const outcomes = await Promise.allSettled(
        adds.map((item) => this.writer.addClient(node, node.inboundId!, item.client)),
      );
      let failure: Error | undefined;
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.status === 'fulfilled') corrected.missing++;
        // A duplicate email: the client is there after all (made meanwhile), which is what we wanted: not a correction.
        else if (!(outcome.reason instanceof PanelDuplicateEmailError)) {
          remaining.missing.push(adds[i]);
          failure ??= outcome.reason as Error;
        }
      }
      if (failure) this.logger.warn(`re-creating clients on ${node.name}: ${failure.message}`);
    }

    const changed = withinBudget(found.changed, remaining.changed);
    if (changed.length) {
      const users = changed.map((item) => item.userId);
      await this.assignments.markAccessStale(node.id, users);
      await this.sync.applyPending(node.id);
      const behind = await this.reconcileReads.behindOnAccess(node.id, users);
      for (const item of changed) {
        if (behind.has(item.userId)) remaining.changed.push(item);
        else corrected.changed++;
      }
    }

    const extra = withinBudget(found.extra, remaining.extra);
    if (extra.length) {
      const live = await liveNow();
      const removable = extra.filter((item) => item.tombstoned || !live.has(item.email.toLowerCase()));
      const leaving = await this.engine.release(
        removable.map((item) => ({
          nodeId: node.id,
          inboundId: node.inboundId!,
          clientEmail: item.email,
          clientUuid: null,
        })),
        'reconcile',
      );
      const cleaned = await leaving.carryOut();
      for (const item of removable) {
        if (cleaned.has(item.email)) corrected.extra++;
        else remaining.extra.push(item);
      }
    }
    return { found, corrected, remaining, dryRun: false };
  }

  private async record(node: NodeEntity, { found, corrected, remaining, dryRun }: Repair): Promise<DriftRecord> {
    const record: DriftRecord = {
      nodeId: node.id,
      checkedAt: new Date(),
      ...countsOf(remaining),
      found: countsOf(found),
      corrected,
      dryRun,
      sample: sampleOf(remaining),
    };
    await this.nodes.recordDrift(record);
    const made = correctionsMade(corrected);
    if (made > 0) {
      this.metrics.reconcileCorrections.inc(nodeLabels(node), made);
      await this.events.record({
        type: EventType.ReconcileCorrected,
        actor: 'system:reconcile',
        nodeId: node.id,
        payload: {
          node: node.name,
          missing: record.found.missing,
          changed: record.found.changed,
          extra: record.found.extra,
          inbound: record.found.inbound,
          corrected: made,
          remaining: { missing: record.missing, changed: record.changed, extra: record.extra },
        },
      });
    }
    return record;
  }

  /** The last reconcile of a node (zeros and no time when it was never reconciled). */
  async last(nodeId: number): Promise<DriftRecord | ({ checkedAt: null } & Omit<DriftRecord, 'checkedAt'>)> {
    if (!(await this.nodes.findById(nodeId))) throw new DomainError(ErrorCode.NodeNotFound, `node ${nodeId} not found`);
    return (
      (await this.nodes.lastDrift(nodeId)) ?? {
        nodeId,
        checkedAt: null,
        ...NO_DRIFT,
        found: NO_DRIFT,
        corrected: { missing: 0, extra: 0, changed: 0, inbound: [] },
        dryRun: false,
        sample: [],
      }
    );
  }
}

/** What a reconcile found, corrected and left. */
interface Repair {
  found: NodeDrift;
  corrected: Corrections;
  remaining: NodeDrift;
  dryRun: boolean;
}

/** A drift recorded without writing anything: all of it remains. */
function unrepaired(drift: NodeDrift, dryRun: boolean): Repair {
  return { found: drift, corrected: { missing: 0, extra: 0, changed: 0, inbound: [] }, remaining: drift, dryRun };
}

function countsOf(drift: NodeDrift): DriftCounts {
  return {
    missing: drift.missing.length,
    extra: drift.extra.length,
    changed: drift.changed.length,
    foreign: drift.foreign,
    inbound: drift.inbound.flatMap((sample) => sample.field ?? []),
  };
}

function emptyDrift(): NodeDrift {
  return { missing: [], changed: [], extra: [], foreign: 0, inbound: [] };
}

/** Settings and stream settings may hold keys (a reality private key, a shadowsocks password): named, not shown. */
function inboundSample(field: string, was: InboundSnapshot, now: InboundSnapshot): DriftSample {
  if (field === 'port' || field === 'protocol' || field === 'remark') {
    return { kind: 'inbound', email: '', field, panel: now[field], desired: was[field] };
  }
  return { kind: 'inbound', email: '', field };
}
