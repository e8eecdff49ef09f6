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
  page: number;
  limit: number;
  /** A page's `nextCursor`. */
  after?: EventCursor;
}
