import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { EventType } from '@fleet/contract';
import { EventHooks } from '../events/event-hooks';
import type { EventInput } from '../events/events.types';
import { NodesService } from '../nodes/nodes.service';
import { AlertOutbox } from './alert-outbox.service';
import { Alert, ALERT_KIND, AlertType } from './alerts';

const count = (value: unknown) => (typeof value === 'number' ? value : 0);

/**
 * Turns recorded events into alerts, in the transaction that records them: node down/up (with the reason), a
 * failover's end or stall, a reconcile's corrections. A failover's moves are told by its ending (how many users, how
 * long), never one `user.migrated` at a time.
 */
@Injectable()
export class EventAlerts implements OnModuleInit {
  constructor(
    private readonly hooks: EventHooks,
    private readonly alerts: AlertOutbox,
    private readonly nodes: NodesService,
  ) {}

  onModuleInit(): void {
    this.hooks.onRecorded((events, manager) => this.alertOn(events, manager));
  }

  private async alertOn(events: EventInput[], manager: EntityManager): Promise<void> {
    const alerts: Alert[] = [];
    for (const event of events) {
      if (!(event.type in ALERT_KIND) || !this.alerts.sends(ALERT_KIND[event.type as AlertType])) continue;
      const alert = await this.alertOf(event, manager);
      if (alert) alerts.push(alert);
    }
    await this.alerts.enqueue(alerts, manager);
  }

  private async alertOf(event: EventInput, manager: EntityManager): Promise<Alert | null> {
    const payload = event.payload ?? {};
    const name = typeof payload['name'] === 'string' ? payload['name'] : null;
    switch (event.type) {
      case EventType.NodeDown:
        return {
          type: EventType.NodeDown,
          node: name ?? (await this.nodeName(event.nodeId, manager)),
          reason: typeof payload['error'] === 'string' ? payload['error'] : null,
        };
      case EventType.NodeUp:
        return { type: EventType.NodeUp, node: name ?? (await this.nodeName(event.nodeId, manager)) };
      case EventType.FailoverCompleted:
        return {
          type: EventType.FailoverCompleted,
          node: await this.nodeName(event.nodeId, manager),
          usersMoved: count(payload['usersMoved']),
          usersFailed: count(payload['usersFailed']),
          seconds: count(payload['seconds']),
        };
      case EventType.FailoverStalled:
        return {
          type: EventType.FailoverStalled,
          node: await this.nodeName(event.nodeId, manager),
          waiting: count(payload['waiting']),
        };
      case EventType.ReconcileCorrected: {
        const remaining = (payload['remaining'] ?? {}) as Record<string, unknown>;
        return {
          type: EventType.ReconcileCorrected,
          node: typeof payload['node'] === 'string' ? payload['node'] : await this.nodeName(event.nodeId, manager),
          missing: count(payload['missing']),
          changed: count(payload['changed']),
          extra: count(payload['extra']),
          inbound: Array.isArray(payload['inbound']) ? payload['inbound'].map(String) : [],
          left: count(remaining['missing']) + count(remaining['changed']) + count(remaining['extra']),
        };
      }
      default:
        return null;
    }
  }

  private async nodeName(nodeId: number | null | undefined, manager: EntityManager): Promise<string> {
    const node = nodeId ? await this.nodes.findById(nodeId, manager) : null;
    return node?.name ?? (nodeId ? `#${nodeId}` : 'unknown');
  }
}
