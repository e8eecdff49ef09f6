import type { EventCursor } from './event-cursor';

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
  userId?: number;
  /** At or after. */
  since?: Date;
  /** Before. */
  until?: Date;
  page: number;
  limit: number;
  /** A page's `nextCursor`. */
  after?: EventCursor;
}
