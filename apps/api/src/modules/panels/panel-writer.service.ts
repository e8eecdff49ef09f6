import { Injectable } from '@nestjs/common';
import { PanelClient, PanelDuplicateEmailError } from '@fleet/xui-client';
import { NodeEntity } from '../nodes/node.entity';
import { PanelPoolService } from './panel-pool.service';

/** Largest batch sent in one addClient call; returns flatten past a few hundred (panel spec §14). */
const MAX_BATCH = 500;

interface WaitingAdd {
  client: PanelClient;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Queue {
  node: NodeEntity;
  inboundId: number;
  waiting: WaitingAdd[];
  flushing: boolean;
}

/**
 * Group commit of client creation per panel inbound: the first add goes out at once; adds that arrive while a
 * call is in flight wait and go out together in the next call. Fast under bursts, one write at a time per panel.
 * A duplicate email fails only the client it names; the rest of its batch is retried.
 */
@Injectable()
export class PanelWriterService {
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly pool: PanelPoolService) {}

  addClient(node: NodeEntity, inboundId: number, client: PanelClient): Promise<void> {
    const key = `${node.id}:${inboundId}`;
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { node, inboundId, waiting: [], flushing: false };
      this.queues.set(key, queue);
    }
    queue.node = node; // newest credentials win
    const done = new Promise<void>((resolve, reject) => queue.waiting.push({ client, resolve, reject }));
    if (!queue.flushing) void this.flush(queue);
    return done;
  }

  private async flush(queue: Queue): Promise<void> {
    queue.flushing = true;
    try {
      while (queue.waiting.length) await this.send(queue, queue.waiting.splice(0, MAX_BATCH));
    } finally {
      queue.flushing = false;
    }
  }

  private async send(queue: Queue, batch: WaitingAdd[]): Promise<void> {
    try {
      await this.pool.run(queue.node, (panel) =>
        panel.addClients(
          queue.inboundId,
          batch.map((entry) => entry.client),
        ),
      );
      for (const entry of batch) entry.resolve();
    } catch (error) {
      const culprit =
        error instanceof PanelDuplicateEmailError
          ? batch.find((entry) => entry.client.email.toLowerCase() === error.email.toLowerCase())
          : undefined;
      if (!culprit) {
        for (const entry of batch) entry.reject(error);
        return;
      }
      culprit.reject(error);
      const rest = batch.filter((entry) => entry !== culprit);
      if (rest.length) await this.send(queue, rest);
    }
  }
}
