import { Injectable } from '@nestjs/common';
import { PanelClient, PanelDuplicateEmailError } from '@fleet/xui-client';
import { Coalescer } from '../../common/batching/coalescer';
import type { PanelTarget } from './panel-target';
import { PanelPoolService } from './panel-pool.service';

/** Largest batch sent in one addClient call; returns flatten past a few hundred (panel spec §14). */
const MAX_BATCH = 500;

interface Queue {
  node: PanelTarget;
  adds: Coalescer<PanelClient, void>;
}

/**
 * Group commit of client creation per panel inbound: the first add goes out at once; adds that arrive while a
 * call is in flight go out together in the next call. Fast under bursts, one write at a time per panel across
 * replicas (the pool's clients hold the panel's write lock), and a batch succeeds only once the panel is seen to
 * keep it (the client reads it back and sends again what is missing).
 * A duplicate email fails only the client it names; the rest of its batch is sent again.
 */
@Injectable()
export class PanelWriterService {
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly pool: PanelPoolService) {}

  addClient(node: PanelTarget, inboundId: number, client: PanelClient): Promise<void> {
    const key = `${node.id}:${inboundId}`;
    let queue = this.queues.get(key);
    if (!queue) {
      const created: Queue = {
        node,
        adds: new Coalescer<PanelClient, void>((batch) => this.send(created.node, inboundId, batch), MAX_BATCH),
      };
      this.queues.set(key, created);
      queue = created;
    }
    queue.node = node; // newest credentials win
    return queue.adds.submit(client);
  }

  private async send(node: PanelTarget, inboundId: number, batch: PanelClient[]): Promise<Array<void | Error>> {
    try {
      await this.pool.run(node, (panel) => panel.addClients(inboundId, batch));
      return batch.map(() => undefined);
    } catch (error) {
      const culprit =
        error instanceof PanelDuplicateEmailError
          ? batch.findIndex((client) => client.email.toLowerCase() === error.email.toLowerCase())
          : -1;
      if (culprit < 0) return batch.map(() => error as Error);
      const rest = batch.filter((_, i) => i !== culprit);
      const retried = rest.length ? await this.send(node, inboundId, rest) : [];
      return batch.map((_, i) => (i === culprit ? (error as Error) : retried[i < culprit ? i : i - 1]));
    }
  }
}
