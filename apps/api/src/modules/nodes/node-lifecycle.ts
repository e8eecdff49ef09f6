import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { NodeEntity } from './node.entity';

/** Work to do once the transaction that recorded a fall has committed (e.g. start the job it created). */
export type AfterCommit = () => void;

/** Runs inside the transaction that records a node's fall: what it writes commits (or not) with the fall. */
export type FellHook = (node: NodeEntity, manager: EntityManager) => Promise<AfterCommit | void>;

/**
 * Runs in the transaction that moves a node to another group: `prepare` before the node's row is locked (locks that
 * come before node rows), `moved` once the node is in its new group (what it writes commits, or not, with the move).
 */
export interface RegroupHook {
  prepare(manager: EntityManager): Promise<void>;
  moved(
    node: NodeEntity,
    change: { fromGroupId: number; actor: string },
    manager: EntityManager,
  ): Promise<AfterCommit | void>;
}

/** Answers why the node may not serve yet, or null when it may. */
export type ServingGate = (node: NodeEntity) => Promise<string | null>;

/** Work done after each passing check of a node that serves. */
export type ServingChore = (node: NodeEntity) => Promise<void>;

/**
 * The stages a node passes, in this order, before it serves again: moved users' clients gone from its panel, the
 * panel agreeing with the database (a reinstalled or restored panel gets its clients back), and access changes made
 * while it was away (a disable, an expiry) applied to it.
 */
export const SERVING_STAGES = ['tombstones', 'reconcile', 'access'] as const;
export type ServingStage = (typeof SERVING_STAGES)[number];

/**
 * A node's life as other modules see it: health observes nodes and fires these; the modules that care register their
 * hooks at start-up (evacuation starts the failover on a fall; tombstones, reconcile and the access catch-up gate a
 * node's return).
 */
@Injectable()
export class NodeLifecycle {
  private readonly fellHooks: FellHook[] = [];
  private readonly regroupHooks: RegroupHook[] = [];
  private readonly gates = new Map<ServingStage, ServingGate>();
  private readonly chores = new Map<ServingStage, ServingChore>();

  onFell(hook: FellHook): void {
    this.fellHooks.push(hook);
  }

  onRegrouped(hook: RegroupHook): void {
    this.regroupHooks.push(hook);
  }

  /** A node may move to another group (in `manager`'s transaction, before its row is locked). */
  async regrouping(manager: EntityManager): Promise<void> {
    for (const hook of this.regroupHooks) await hook.prepare(manager);
  }

  /** The node moved to another group (recorded by `manager`'s transaction); returns what to do once it commits. */
  async regrouped(
    node: NodeEntity,
    change: { fromGroupId: number; actor: string },
    manager: EntityManager,
  ): Promise<AfterCommit> {
    const after: AfterCommit[] = [];
    for (const hook of this.regroupHooks) {
      const then = await hook.moved(node, change, manager);
      if (then) after.push(then);
    }
    return () => after.forEach((then) => then());
  }

  /** Gates a node's return at `stage`; a gate that refuses keeps the node out and skips the later stages. */
  beforeServing(stage: ServingStage, gate: ServingGate): void {
    if (this.gates.has(stage)) throw new Error(`serving gate ${stage} registered twice`);
    this.gates.set(stage, gate);
  }

  /** Keeps a serving node in shape: run after each of its passing checks, in stage order. */
  whileServing(stage: ServingStage, chore: ServingChore): void {
    if (this.chores.has(stage)) throw new Error(`serving chore ${stage} registered twice`);
    this.chores.set(stage, chore);
  }

  /** The node fell (recorded by `manager`'s transaction); returns what to do once that transaction commits. */
  async fell(node: NodeEntity, manager: EntityManager): Promise<AfterCommit> {
    const after: AfterCommit[] = [];
    for (const hook of this.fellHooks) {
      const then = await hook(node, manager);
      if (then) after.push(then);
    }
    return () => after.forEach((then) => then());
  }

  /** Why the node may not serve (again) yet, from the first gate that refuses; null once all let it through. */
  async mayServe(node: NodeEntity): Promise<string | null> {
    for (const stage of SERVING_STAGES) {
      const refusal = (await this.gates.get(stage)?.(node)) ?? null;
      if (refusal !== null) return refusal;
    }
    return null;
  }

  async serving(node: NodeEntity): Promise<void> {
    for (const stage of SERVING_STAGES) await this.chores.get(stage)?.(node);
  }
}
