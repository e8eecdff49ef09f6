import { EventType } from '@fleet/contract';
import type { EventInput } from '../events/events.types';
import type { MoveReason } from './move.types';

/** The `user.migrated` event (and webhook) the bot uses to tell a user their server changed. */
export function migratedEvent(
  move: { userId: number; telegramId: number | null; fromNodeId: number; toNodeId: number },
  options: { reason: MoveReason; actor: string; jobId?: number },
): EventInput {
  return {
    type: EventType.UserMigrated,
    actor: options.actor,
    userId: move.userId,
    nodeId: move.toNodeId,
    payload: {
      telegramId: move.telegramId,
      fromNodeId: move.fromNodeId,
      toNodeId: move.toNodeId,
      reason: options.reason,
      ...(options.jobId ? { jobId: options.jobId } : {}),
    },
  };
}
