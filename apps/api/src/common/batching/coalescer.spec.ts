import { Coalescer } from './coalescer';

describe('Coalescer', () => {
  it('sends what arrives in one tick together, and groups what arrives while a batch is handled', async () => {
    const batches: number[][] = [];
    const coalescer = new Coalescer<number, number>(async (items) => {
      batches.push(items);
      await new Promise((resolve) => setTimeout(resolve, 10));
      return items.map((item) => item * 2);
    });
    const first = [1, 2].map((item) => coalescer.submit(item));
    await new Promise((resolve) => setTimeout(resolve, 2));
    const later = [3, 4, 5].map((item) => coalescer.submit(item));
    expect(await Promise.all([...first, ...later])).toEqual([2, 4, 6, 8, 10]);
    expect(batches).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it('fails only the items answered with an error, and every item when the batch throws', async () => {
    const coalescer = new Coalescer<number, number>(async (items) =>
      items.map((item) => (item % 2 ? new Error(`odd ${item}`) : item)),
    );
    const outcomes = await Promise.allSettled([1, 2].map((item) => coalescer.submit(item)));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled']);
    const broken = new Coalescer<number, number>(async () => {
      throw new Error('down');
    });
    await expect(broken.submit(1)).rejects.toThrow('down');
    await expect(broken.submit(2)).rejects.toThrow('down');
  });

  it('caps a batch at maxBatch', async () => {
    const sizes: number[] = [];
    const coalescer = new Coalescer<number, number>(async (items) => {
      sizes.push(items.length);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return items;
    }, 3);
    await Promise.all(Array.from({ length: 8 }, (_, i) => coalescer.submit(i)));
    expect(sizes).toEqual([3, 3, 2]);
  });
});
