import { EventType } from '@fleet/contract';
import type { TelegramAlert } from '../../config/app-config';

/**
 * What the operators are told, each alert self-contained (names as they were when it happened), so a message reads
 * right even when it is sent later or the node is gone by then.
 */
export type Alert =
  | { type: typeof EventType.NodeDown; node: string; reason: string | null }
  | { type: typeof EventType.NodeUp; node: string }
  | { type: typeof EventType.FailoverCompleted; node: string; usersMoved: number; usersFailed: number; seconds: number }
  | { type: typeof EventType.FailoverStalled; node: string; waiting: number }
  | {
      type: typeof EventType.ReconcileCorrected;
      node: string;
      missing: number;
      changed: number;
      extra: number;
      inbound: string[];
      /** Differences left for a later reconcile. */
      left: number;
    }
  | { type: 'webhooks.failing'; minutes: number; waiting: number; lastError: string | null }
  | { type: 'webhooks.recovered' }
  | {
      type: 'digest';
      day: string;
      expiring: { hours: number; count: number; first: string[] };
      busyNodes: Array<{ node: string; percent: number }>;
    };

export type AlertType = Alert['type'];

/** The kind (TELEGRAM_ALERTS) each alert belongs to. */
export const ALERT_KIND: Record<AlertType, TelegramAlert> = {
  [EventType.NodeDown]: 'node',
  [EventType.NodeUp]: 'node',
  [EventType.FailoverCompleted]: 'failover',
  [EventType.FailoverStalled]: 'failover',
  [EventType.ReconcileCorrected]: 'reconcile',
  'webhooks.failing': 'webhook',
  'webhooks.recovered': 'webhook',
  digest: 'digest',
};

/** An alert as the outbox keeps it: its type, and the rest as the payload. */
export function alertOf(type: string, payload: Record<string, unknown>): Alert {
  return { ...payload, type } as Alert;
}
