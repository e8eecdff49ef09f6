import { EntityManager } from 'typeorm';
import { NodeEntity } from './node.entity';
import { NodeLifecycle } from './node-lifecycle';

const node = { id: 7, name: 'node-7' } as NodeEntity;
const manager = {} as EntityManager;

describe('NodeLifecycle', () => {
  it('runs the serving gates in stage order, whatever the order they were registered in, up to the first refusal', async () => {
    const lifecycle = new NodeLifecycle();
    const ran: string[] = [];
    lifecycle.beforeServing('access', async () => (ran.push('access'), null));
    lifecycle.beforeServing('reconcile', async () => (ran.push('reconcile'), 'reconcile: panel away'));
    lifecycle.beforeServing('tombstones', async () => (ran.push('tombstones'), null));
    expect(await lifecycle.mayServe(node)).toBe('reconcile: panel away');
    expect(ran).toEqual(['tombstones', 'reconcile']);
  });

  it('lets a node serve once every gate lets it through; serving chores run in stage order', async () => {
    const lifecycle = new NodeLifecycle();
    const ran: string[] = [];
    lifecycle.beforeServing('tombstones', async () => null);
    lifecycle.whileServing('access', async () => void ran.push('access'));
    lifecycle.whileServing('tombstones', async () => void ran.push('tombstones'));
    expect(await lifecycle.mayServe(node)).toBeNull();
    await lifecycle.serving(node);
    expect(ran).toEqual(['tombstones', 'access']);
  });

  it('runs fall hooks with the transaction and leaves their follow-ups for after it commits', async () => {
    const lifecycle = new NodeLifecycle();
    const seen: unknown[] = [];
    const kicked: number[] = [];
    lifecycle.onFell(async (fallen, tx) => {
      seen.push([fallen.id, tx]);
      return () => kicked.push(fallen.id);
    });
    lifecycle.onFell(async () => undefined);
    const afterCommit = await lifecycle.fell(node, manager);
    expect(seen).toEqual([[7, manager]]);
    expect(kicked).toEqual([]);
    afterCommit();
    expect(kicked).toEqual([7]);
  });

  it('refuses a second gate for one stage', () => {
    const lifecycle = new NodeLifecycle();
    lifecycle.beforeServing('tombstones', async () => null);
    expect(() => lifecycle.beforeServing('tombstones', async () => null)).toThrow(/twice/);
  });
});
