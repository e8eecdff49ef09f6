import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  ClaimedMessage,
  ClaimOptions,
  NewOutboxMessage,
  OutboxBacklog,
  OutboxChannel,
  OutboxRepository,
} from './outbox.repository';
import { groupBy } from '../../common/collections/group-by';

export type { ClaimedMessage, ClaimOptions, NewOutboxMessage, OutboxBacklog, OutboxChannel };

const MAX_BACKOFF_S = 3600;

/** Seconds before a failed delivery is tried again: doubling with each attempt, at most an hour. */
export function backoffSeconds(attempts: number): number {
  return Math.min(MAX_BACKOFF_S, 2 ** Math.min(attempts, 12));
}

/** Claimed messages (by subject, in sequence order) as one run per subject. */
export function runsBySubject(claimed: ClaimedMessage[]): ClaimedMessage[][] {
  return [...groupBy(claimed, (message) => message.subject).values()];
}

/**
 * The outbox as a durable queue per channel: messages written in the caller's transaction (they commit, or not, with
 * the change they announce), claimed by one replica at a time for a lease (a dead replica's claims run out and
 * another takes them over), delivered in order per subject, settled only by their claim's holder.
 */
@Injectable()
export class OutboxQueue {
  constructor(private readonly outbox: OutboxRepository) {}

  enqueue(
    channel: OutboxChannel,
    messages: NewOutboxMessage[],
    manager: EntityManager,
    holdSeconds = 0,
  ): Promise<void> {
    return this.outbox.insert(channel, messages, manager, holdSeconds);
  }

  claimDue(channel: OutboxChannel, options: ClaimOptions): Promise<ClaimedMessage[]> {
    return this.outbox.claimDue(channel, options);
  }

  /** The run was delivered; its subject's next message is due after `pauseSeconds`. False: the claim was lost. */
  delivered(run: ClaimedMessage[], token: string, pauseSeconds = 0): Promise<boolean> {
    return this.outbox.delivered(run, token, pauseSeconds);
  }

  failed(run: ClaimedMessage[], token: string, error: string, retryInSeconds: number): Promise<void> {
    return this.outbox.failed(run, token, error, retryInSeconds);
  }

  backlog(channel: OutboxChannel): Promise<OutboxBacklog> {
    return this.outbox.backlog(channel);
  }
}
