import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, MoreThan, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { EventView, Page } from '@fleet/contract';
import { WebhookOutboxService } from '../outbox/webhook-outbox.service';
import { EventEntity } from './event.entity';
import { EventsRepository } from './events.repository';

export interface EventInput {
  type: string;
  actor: string;
  nodeId?: number | null;
  userId?: number | null;
  payload?: Record<string, unknown>;
}

export interface EventQuery {
  type?: string;
  nodeId?: number;
  page: number;
  limit: number;
}

@Injectable()
export class EventsService {
  constructor(
    @InjectRepository(EventEntity) private readonly events: Repository<EventEntity>,
    private readonly rows: EventsRepository,
    private readonly outbox: WebhookOutboxService,
  ) {}

  /**
   * Records an event, and queues its webhook when it is one that is announced. Pass the transaction's manager so
   * both commit or roll back with the change.
   */
  async record(input: EventInput, manager?: EntityManager): Promise<void> {
    const target = manager ?? this.events.manager;
    await this.outbox.enqueue(target, input.type, {
      ...(input.nodeId ? { nodeId: input.nodeId } : {}),
      ...(input.userId ? { userId: input.userId } : {}),
      ...input.payload,
    });
    await target.getRepository(EventEntity).insert({
      type: input.type,
      actor: input.actor,
      nodeId: input.nodeId ?? null,
      userId: input.userId ?? null,
      payload: input.payload ?? {},
    } as QueryDeepPartialEntity<EventEntity>);
  }

  /** Records many events (and their webhooks) with two statements; for bulk moves. */
  async recordMany(inputs: EventInput[], manager: EntityManager): Promise<void> {
    if (!inputs.length) return;
    await this.outbox.enqueueMany(
      manager,
      inputs.map((input) => ({
        type: input.type,
        payload: {
          ...(input.nodeId ? { nodeId: input.nodeId } : {}),
          ...(input.userId ? { userId: input.userId } : {}),
          ...input.payload,
        },
      })),
    );
    await this.rows.insertMany(inputs, manager);
  }

  countSince(type: string, since: Date): Promise<number> {
    return this.events.countBy({ type, createdAt: MoreThan(since) });
  }

  async list(query: EventQuery): Promise<Page<EventView>> {
    const where = {
      ...(query.type ? { type: query.type } : {}),
      ...(query.nodeId ? { nodeId: query.nodeId } : {}),
    };
    const [rows, total] = await this.events.findAndCount({
      where,
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: (query.page - 1) * query.limit,
      take: query.limit,
    });
    return { items: rows.map(mapEvent), total, page: query.page, limit: query.limit };
  }

  /** Failed logins for one username from one address since `since`, for the login rate limit. */
}

export function mapEvent(row: EventEntity): EventView {
  return {
    id: Number(row.id),
    type: row.type,
    nodeId: row.nodeId,
    userId: row.userId,
    actor: row.actor,
    payload: row.payload,
    createdAt: row.createdAt.toISOString(),
  };
}
