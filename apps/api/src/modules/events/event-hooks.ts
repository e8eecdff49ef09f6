import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { EventInput } from './events.types';

/** Runs in the transaction that records events: what it writes commits, or not, with them. */
export type RecordedHook = (events: EventInput[], manager: EntityManager) => Promise<void>;

/**
 * Events as other modules follow them: a module that acts on recorded events (alerts) registers its hook at start-up,
 * and the events module needs to know nothing of it.
 */
@Injectable()
export class EventHooks {
  private readonly hooks: RecordedHook[] = [];

  onRecorded(hook: RecordedHook): void {
    this.hooks.push(hook);
  }

  async recorded(events: EventInput[], manager: EntityManager): Promise<void> {
    for (const hook of this.hooks) await hook(events, manager);
  }
}
