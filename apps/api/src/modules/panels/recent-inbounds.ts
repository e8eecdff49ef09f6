import { Injectable } from '@nestjs/common';
import type { Inbound } from '@fleet/xui-client';

/**
 * The node's inbound as a panel answered it lately (one per node, the usage pass's `inbounds/list`), so the
 * scheduled reconcile reads a panel once per pass rather than twice. In memory on the replica that read it.
 */
@Injectable()
export class RecentInbounds {
  private readonly latest = new Map<number, { inbound: Inbound | undefined; readAt: number }>();

  /** What a list call answered for the node (its inbound, or none when the panel no longer has it). */
  remember(node: { id: number; inboundId: number | null }, inbounds: Inbound[]): void {
    if (node.inboundId === null) return;
    this.latest.set(node.id, {
      inbound: inbounds.find((inbound) => inbound.id === node.inboundId),
      readAt: Date.now(),
    });
  }

  /** The node's last answer if it is at most `maxAgeMs` old (taken: it is used once). */
  take(nodeId: number, maxAgeMs: number): { inbound: Inbound | undefined } | null {
    const entry = this.latest.get(nodeId);
    this.latest.delete(nodeId);
    return entry && Date.now() - entry.readAt <= maxAgeMs ? { inbound: entry.inbound } : null;
  }

  forget(nodeId: number): void {
    this.latest.delete(nodeId);
  }
}
