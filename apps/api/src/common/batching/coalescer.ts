interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: items submitted in the same tick go out together at once; items submitted while a batch is being
 * handled wait and go out together in the next one (at most `maxBatch` at a time). Under load the batches grow, so the fixed cost of a
 * batch (a transaction, a panel call) is shared by more items. `handle` answers one result per item, in order; an
 * `Error` in that list fails only its own item.
 */
export class Coalescer<I, O> {
  private readonly waiting: Array<Waiting<I, O>> = [];
  private running = false;

  constructor(
    private readonly handle: (items: I[]) => Promise<Array<O | Error>>,
    private readonly maxBatch = 500,
  ) {}

  submit(item: I): Promise<O> {
    const result = new Promise<O>((resolve, reject) => this.waiting.push({ item, resolve, reject }));
    if (!this.running) {
      this.running = true;
      queueMicrotask(() => void this.drain());
    }
    return result;
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length) {
        const batch = this.waiting.splice(0, this.maxBatch);
        try {
          const results = await this.handle(batch.map((entry) => entry.item));
          batch.forEach((entry, i) => {
            const result = results[i];
            if (result instanceof Error) entry.reject(result);
            else entry.resolve(result as O);
          });
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
