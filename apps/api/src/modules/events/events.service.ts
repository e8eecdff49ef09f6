import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, MoreThan, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { EventView, Page } from '@fleet/contract';
import { WebhookOutboxService } from '../outbox/webhook-outbox.service';
import { EventEntity } from './event.entity';
import { EventHooks } from './event-hooks';
import { EventsRepository } from './events.repository';
import type { EventInput, EventQuery } from './events.types';

@Injectable()
export class EventsService {
  constructor(
    @InjectRepository(EventEntity) private readonly events: Repository<EventEntity>,
    private readonly rows: EventsRepository,
    private readonly outbox: WebhookOutboxService,
    private readonly hooks: EventHooks,
  ) {}

  /**
   * Records an event, queues its webhook when it is one that is announced and runs the hooks of recorded events
   * (alerts). Pass the transaction's manager so all of it commits or rolls back with the change; without one it is
   * a transaction of its own.
   */
  async record(input: EventInput, manager?: EntityManager): Promise<void> {
    if (!manager) return this.events.manager.transaction((own) => this.record(input, own));
    await this.outbox.enqueue(manager, input);
    await this.hooks.recorded([input], manager);
    await manager.getRepository(EventEntity).insert({
      type: input.type,
      actor: input.actor,
      nodeId: input.nodeId ?? null,
      userId: input.userId ?? null,
      payload: input.payload ?? {},
    } as QueryDeepPartialEntity<EventEntity>);
  }

  /** Records many events (their webhooks and hooks too) with few statements; for bulk moves. */
  async recordMany(inputs: EventInput[], manager: EntityManager): Promise<void> {
    if (!inputs.length) return;
    await this.outbox.enqueueMany(manager, inputs);
    await this.hooks.recorded(inputs, manager);
    await this.rows.insertMany(inputs, manager);
  }

  /** Deletes up to `limit` events older than `retentionDays`; answers how many. */
  prune(retentionDays: number, limit: number): Promise<number> {
    return this.rows.prune(retentionDays, limit);
  }

  countSince(type: string, since: Date): Promise<number> {
    return this.events.countBy({ type, createdAt: MoreThan(since) });
  }

  /** Newest first; by key with `after` (a page's `nextCursor`), else by page number. */
  async list(query: EventQuery): Promise<Page<EventView>> {
    const { rows, total, estimated } = await this.rows.page(query);
    const items = rows.map((row) => row.view);
    const last = rows.length === query.limit ? rows[rows.length - 1] : null;
    return {
      items,
      total,
      page: query.after ? 0 : query.page,
      limit: query.limit,
      totalEstimated: estimated,
      nextCursor: last ? last.cursor : null,
    };
  }
}
