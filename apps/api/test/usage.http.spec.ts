import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { NodesRepository } from '../src/modules/nodes/nodes.repository';
import { PanelPoolService } from '../src/modules/panels/panel-pool.service';
import { readingsOf, UsageLedger } from '../src/modules/usage/usage-ledger.service';
import { UsagePassService } from '../src/modules/usage/usage-pass.service';
import { UsageRepository } from '../src/modules/usage/usage.repository';
import { TopUsersService } from '../src/modules/usage/top-users.service';
import { AccessPassService } from '../src/modules/access/access-pass.service';
import { checkHealth, clientOn, operatorCall, placeUsers, startFleet } from './support/fleet';
import { nodeBody, startTestApp, TestApp } from './support/test-app';

type Fleet = Awaited<ReturnType<typeof startFleet>>;
type Key = { userId: number; node: { id: number } };

/** Two simulated panels as nodes, a bot token, and the helpers every ledger test uses. */
function ledgerFleet(env: Record<string, string> = {}) {
  const ctx = {} as { t: TestApp; fleet: Fleet; bot: { Authorization: string } };
  beforeEach(async () => {
    ctx.t = await startTestApp({ secretKey: randomBytes(32), env });
    ctx.fleet = await startFleet(ctx.t, [{ node: { maxUsers: 50 } }, { node: { maxUsers: 50 } }]);
    ctx.bot = { Authorization: `Bearer ${await ctx.t.tokenFor('bot')}` };
  });
  afterEach(async () => {
    await ctx.t.close();
    await ctx.fleet.stop();
  });
  const panelOf = (nodeId: number) => ctx.fleet.panels[ctx.fleet.nodeIds.indexOf(nodeId)];
  const emailOf = (key: Key, nodeId = key.node.id) => `u${key.userId}-n${nodeId}`;
  return {
    ctx,
    panelOf,
    emailOf,
    traffic: (key: Key, up: number, down: number, nodeId = key.node.id) =>
      panelOf(nodeId).state.recordTraffic([{ email: emailOf(key, nodeId), up, down }]),
    pass: () => ctx.t.app.get(UsagePassService).run(true),
    usageOf: async (telegramId: number, query = '') =>
      (await ctx.t.http().get(`/api/v1/keys/${telegramId}/usage${query}`).set(ctx.bot).expect(200)).body,
  };
}

describe('usage ledger: every byte a panel reports booked once (real HTTP, PostgreSQL, simulated panels)', () => {
  const { ctx, panelOf, emailOf, traffic, pass, usageOf } = ledgerFleet();

  it('books each pass the bytes since the last one, up and down apart, where every figure of the user shows them at once (default settings)', async () => {
    const [key] = await placeUsers(ctx.t, ctx.bot, 101, 1);
    traffic(key, 300, 700);
    expect(await pass()).toMatchObject({ ran: true, nodes: 2, skipped: 0, up: 300, down: 700 });
    expect(await pass()).toMatchObject({ ran: true, up: 0, down: 0, rows: 0 });
    traffic(key, 5, 10);
    await pass();
    const usage = await usageOf(101);
    expect(usage.total).toEqual({ up: 305, down: 710 });
    expect(usage.period).toMatchObject({ up: 305, down: 710 });
    expect(usage.buckets).toEqual([{ start: expect.any(String), nodeId: key.node.id, up: 305, down: 710 }]);
    expect(new Date(usage.buckets[0].start).getUTCMinutes()).toBe(0);
    const byDay = await usageOf(101, '?granularity=day');
    expect(byDay.total).toEqual({ up: 305, down: 710 });
    const keyBody = (await ctx.t.http().get('/api/v1/keys/101').set(ctx.bot).expect(200)).body;
    expect(keyBody.access.usedBytes).toBe(1015);
    const sub = await request(ctx.t.url).get(new URL(keyBody.subscriptionUrl).pathname).expect(200);
    expect(sub.headers['subscription-userinfo']).toBe('upload=305; download=710; total=0; expire=0');
    const node = (await ctx.t.http().get(`/api/v1/nodes/${key.node.id}/usage`).set(ctx.fleet.auth).expect(200)).body;
    expect(node.total).toEqual({ up: 305, down: 710 });
    const overview = (await ctx.t.http().get('/api/v1/stats/overview').set(ctx.fleet.auth).expect(200)).body;
    expect(overview.usage.last24h).toEqual({ up: 305, down: 710 });
    const top = (await ctx.t.http().get('/api/v1/stats/top-users?hours=24&limit=5').set(ctx.fleet.auth).expect(200))
      .body;
    expect(top).toEqual([{ userId: key.userId, telegramId: 101, username: null, up: 305, down: 710 }]);
  });

  it('nodes that share a panel (one inbound each) book their own clients only: node, fleet and user totals agree', async () => {
    const panel = ctx.fleet.panels[0];
    const { body: shared } = await ctx.t
      .http()
      .post('/api/v1/nodes')
      .set(ctx.fleet.auth)
      .send(
        nodeBody({
          name: 'node-1-ws',
          panelUrl: panel.url,
          panelUsername: panel.username,
          panelPassword: panel.password,
          inboundId: 2,
          maxUsers: 50,
        }),
      )
      .expect(201);
    await checkHealth(ctx.t, ctx.fleet.auth, shared.id);
    const nodes = [ctx.fleet.nodeIds[0], shared.id, ctx.fleet.nodeIds[1]];
    const keys = await placeUsers(ctx.t, ctx.bot, 151, 3);
    for (const [i, key] of keys.entries()) {
      if (key.node.id === nodes[i]) continue;
      await ctx.t
        .http()
        .post(`/api/v1/users/${key.userId}/migrate`)
        .set(ctx.fleet.auth)
        .send({ nodeId: nodes[i] })
        .expect(200);
      key.node.id = nodes[i];
    }
    await pass(); // every client's first reading
    const panels = [panel, panel, ctx.fleet.panels[1]];
    keys.forEach((key, i) =>
      panels[i].state.recordTraffic([{ email: emailOf(key), up: 100 * (i + 1), down: 1000 * (i + 1) }]),
    );
    expect(await pass()).toMatchObject({ up: 600, down: 6000 });
    for (const [i, nodeId] of nodes.entries()) {
      const node = (await ctx.t.http().get(`/api/v1/nodes/${nodeId}/usage`).set(ctx.fleet.auth).expect(200)).body;
      expect(node.total).toEqual({ up: 100 * (i + 1), down: 1000 * (i + 1) });
      expect((await usageOf(151 + i)).buckets).toEqual([
        { start: expect.any(String), nodeId, up: 100 * (i + 1), down: 1000 * (i + 1) },
      ]);
    }
    const overview = (await ctx.t.http().get('/api/v1/stats/overview').set(ctx.fleet.auth).expect(200)).body;
    expect(overview.usage.last24h).toEqual({ up: 600, down: 6000 });
  });

  it('a move books the old client’s last bytes before it is deleted; the new client counts from zero', async () => {
    const [key] = await placeUsers(ctx.t, ctx.bot, 201, 1);
    traffic(key, 100, 100);
    await pass();
    traffic(key, 40, 60); // after the last pass, on the old node
    const target = ctx.fleet.nodeIds.find((id) => id !== key.node.id)!;
    await ctx.t
      .http()
      .post(`/api/v1/users/${key.userId}/migrate`)
      .set(ctx.fleet.auth)
      .send({ nodeId: target })
      .expect(200);
    expect(clientOn(panelOf(key.node.id), emailOf(key))).toBeUndefined();
    traffic(key, 1, 2, target);
    await pass();
    expect((await usageOf(201)).total).toEqual({ up: 141, down: 162 });
    // Back to the first node: a new client under the old email starts a new epoch.
    await ctx.t
      .http()
      .post(`/api/v1/users/${key.userId}/migrate`)
      .set(ctx.fleet.auth)
      .send({ nodeId: key.node.id })
      .expect(200);
    traffic(key, 7, 7);
    await pass();
    expect((await usageOf(201)).total).toEqual({ up: 148, down: 169 });
  });

  it('an operator’s counter reset on the panel starts a new epoch; the lifetime counter keeps what it erased', async () => {
    const [key] = await placeUsers(ctx.t, ctx.bot, 301, 1);
    const panel = panelOf(key.node.id);
    traffic(key, 500, 500);
    await pass();
    traffic(key, 10, 10); // erased by the reset before we read it: still in the row's allTime
    expect((await operatorCall(panel, `panel/api/inbounds/1/resetClientTraffic/${emailOf(key)}`)).success).toBe(true);
    traffic(key, 3, 4);
    await pass();
    // The 20 erased bytes are split like the client's earlier traffic (half up, half down).
    expect((await usageOf(301)).total).toEqual({ up: 513, down: 514 });
    expect((await operatorCall(panel, 'panel/api/inbounds/resetAllClientTraffics/1')).success).toBe(true);
    expect(await pass()).toMatchObject({ up: 0, down: 0 });
    traffic(key, 1, 1);
    await pass();
    expect((await usageOf(301)).total).toEqual({ up: 514, down: 515 });
  });

  it('a panel without lifetime counters (before v2.6.8): a reset loses what it erased, and nothing is counted twice', async () => {
    // The first fleet's nodes go out of placement before their panels stop: the user lands on the old panel.
    for (const id of ctx.fleet.nodeIds)
      await ctx.t.http().patch(`/api/v1/nodes/${id}`).set(ctx.fleet.auth).send({ status: 'inactive' }).expect(200);
    await ctx.fleet.stop();
    ctx.fleet = await startFleet(ctx.t, [{ node: { name: 'old-panel' }, panel: { version: '2.6.7' } }]);
    const [key] = await placeUsers(ctx.t, ctx.bot, 351, 1);
    const panel = panelOf(key.node.id);
    traffic(key, 500, 500);
    await pass();
    traffic(key, 10, 10);
    expect((await operatorCall(panel, `panel/api/inbounds/1/resetClientTraffic/${emailOf(key)}`)).success).toBe(true);
    traffic(key, 3, 4);
    await pass();
    await pass();
    expect((await usageOf(351)).total).toEqual({ up: 503, down: 504 });
  });

  it('a quota is fleet-wide and weighted: limited after the pass that sees it, once; the panel caps the rest', async () => {
    const [key] = await placeUsers(ctx.t, ctx.bot, 401, 1);
    const other = ctx.fleet.nodeIds.find((id) => id !== key.node.id)!;
    await ctx.t.http().patch(`/api/v1/nodes/${other}`).set(ctx.fleet.auth).send({ usageMultiplier: 2 }).expect(200);
    await ctx.t.http().patch('/api/v1/keys/401/access').set(ctx.bot).send({ trafficLimitBytes: 1000 }).expect(200);
    expect(clientOn(panelOf(key.node.id), emailOf(key))).toMatchObject({ totalGB: 1000 });
    traffic(key, 200, 200);
    await pass();
    // On the ×2 node the 600 bytes left are 300 of its bytes: a move never grants a fresh quota.
    await ctx.t
      .http()
      .post(`/api/v1/users/${key.userId}/migrate`)
      .set(ctx.fleet.auth)
      .send({ nodeId: other })
      .expect(200);
    expect(clientOn(panelOf(other), emailOf(key, other))).toMatchObject({ totalGB: 300, enable: true });
    traffic(key, 100, 100, other);
    await pass();
    expect((await ctx.t.http().get('/api/v1/keys/401').set(ctx.bot).expect(200)).body.access).toMatchObject({
      status: 'active',
      usedBytes: 800,
    });
    traffic(key, 50, 50, other);
    expect(panelOf(other).state.traffics.get(emailOf(key, other))).toMatchObject({ enable: false }); // the panel stops it
    await pass();
    await pass();
    await ctx.t.app.get(AccessPassService).run();
    const access = (await ctx.t.http().get('/api/v1/keys/401').set(ctx.bot).expect(200)).body.access;
    expect(access).toMatchObject({ status: 'limited', usedBytes: 1000 });
    expect(clientOn(panelOf(other), emailOf(key, other))).toMatchObject({ enable: false });
    const [{ n }] = await ctx.t.dataSource.query(`SELECT count(*)::int AS n FROM events WHERE type = 'user.limited'`);
    expect(n).toBe(1);
    // A new period raises totalGB past the panel's counter (the counter is not reset) and lets the user in.
    await ctx.t.http().post('/api/v1/keys/401/reset-traffic').set(ctx.bot).expect(200);
    expect(clientOn(panelOf(other), emailOf(key, other))).toMatchObject({ enable: true, totalGB: 300 + 500 });
    expect(traffic(key, 10, 10, other)).toBe(20);
  });

  it('a node that does not answer is skipped and caught up on its next good pass', async () => {
    const [key] = await placeUsers(ctx.t, ctx.bot, 501, 1);
    const panel = panelOf(key.node.id);
    traffic(key, 10, 20);
    await panel.setFault({ kind: 'refuse' });
    expect(await pass()).toMatchObject({ skipped: 1, up: 0, down: 0 });
    await panel.setFault({ kind: 'none' });
    traffic(key, 1, 1);
    expect(await pass()).toMatchObject({ skipped: 0, up: 11, down: 21 });
    await checkHealth(ctx.t, ctx.fleet.auth, key.node.id);
  });

  it('refuses bad usage queries with 400 naming the field, unknown users with 404, strangers with 401', async () => {
    await placeUsers(ctx.t, ctx.bot, 601, 1);
    for (const query of [
      '?granularity=week',
      '?from=yesterday',
      '?to=2026-13-01T00:00:00Z',
      '?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z',
      '?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z',
    ]) {
      const { body } = await ctx.t.http().get(`/api/v1/keys/601/usage${query}`).set(ctx.bot).expect(400);
      expect(JSON.stringify(body)).toMatch(/granularity|from|to/);
    }
    await ctx.t.http().get('/api/v1/stats/top-users?limit=0').set(ctx.fleet.auth).expect(400);
    await ctx.t.http().get('/api/v1/stats/top-users?hours=1e3').set(ctx.fleet.auth).expect(400);
    await ctx.t.http().get('/api/v1/keys/602/usage').set(ctx.bot).expect(404);
    await ctx.t.http().get('/api/v1/users/999999/usage').set(ctx.fleet.auth).expect(404);
    await ctx.t.http().get('/api/v1/nodes/999999/usage').set(ctx.fleet.auth).expect(404);
    await ctx.t.http().get('/api/v1/users/01/usage').set(ctx.fleet.auth).expect(400);
    await ctx.t.http().get('/api/v1/keys/601/usage').expect(401);
    await ctx.t.http().get('/api/v1/keys/601/usage').set({ Authorization: 'Bearer nope' }).expect(401);
    const viewer = { Authorization: `Bearer ${await ctx.t.tokenFor('viewer')}` };
    await ctx.t.http().get('/api/v1/keys/601/usage').set(viewer).expect(403);
    await ctx.t.http().get(`/api/v1/nodes/${ctx.fleet.nodeIds[0]}/usage`).set(ctx.bot).expect(403);
    for (const usageMultiplier of [0, -1, 101, 1.2345, '2']) {
      const { body } = await ctx.t
        .http()
        .patch(`/api/v1/nodes/${ctx.fleet.nodeIds[0]}`)
        .set(ctx.fleet.auth)
        .send({ usageMultiplier })
        .expect(400);
      expect(JSON.stringify(body)).toContain('usageMultiplier');
    }
  });

  it('two replicas collecting while users move between them: every byte booked exactly once', async () => {
    const replica = await startTestApp({ databaseUrl: ctx.t.databaseUrl, secretKey: randomBytes(32) });
    try {
      const keys = await placeUsers(ctx.t, ctx.bot, 701, 10);
      let sent = 0;
      const inject = () => {
        for (const key of keys) {
          for (const [i, panel] of ctx.fleet.panels.entries()) {
            sent += panel.state.recordTraffic([{ email: emailOf(key, ctx.fleet.nodeIds[i]), up: 1000, down: 3000 }]);
          }
        }
      };
      inject();
      const replicaAuth = { Authorization: `Bearer ${await replica.adminToken()}` };
      const moves = keys.map(async (key) => {
        const { body } = await ctx.t.http().get(`/api/v1/users/${key.userId}`).set(ctx.fleet.auth).expect(200);
        const target = ctx.fleet.nodeIds.find((id) => id !== body.node.id)!;
        await request(replica.url)
          .post(`/api/v1/users/${key.userId}/migrate`)
          .set(replicaAuth)
          .send({ nodeId: target })
          .expect(200);
      });
      await Promise.all([...moves, pass(), replica.app.get(UsagePassService).run(true), pass()]);
      inject();
      await Promise.all([pass(), replica.app.get(UsagePassService).run(true)]);
      await pass();
      const [{ booked }] = await ctx.t.dataSource.query(
        `SELECT COALESCE(sum(up + down), 0)::int AS booked FROM usage_hourly`,
      );
      expect(booked).toBe(sent);
    } finally {
      await replica.stop();
    }
  });

  it('two readers of one node: an older reading that arrives after a newer one is not booked over it', async () => {
    const [key] = await placeUsers(ctx.t, ctx.bot, 801, 1);
    const node = (await ctx.t.app.get(NodesRepository).findById(key.node.id))!;
    const read = async () =>
      readingsOf(await ctx.t.app.get(PanelPoolService).run(node, (panel) => panel.listInbounds()), node);
    traffic(key, 100, 100);
    await pass();
    traffic(key, 50, 50);
    const stale = await read();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // Stamped now, answered late (a slow panel): a newer reading is booked meanwhile.
    const slow = ctx.t.app.get(UsageLedger).collect(node, async () => {
      await gate;
      return stale;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    traffic(key, 10, 10);
    await pass();
    release();
    expect(await slow).toMatchObject({ up: 0, down: 0, written: 0 });
    await pass();
    expect((await usageOf(801)).total).toEqual({ up: 160, down: 160 });
  });

  it('a booking rolled back after its cursors were written is booked by the next pass, once', async () => {
    const [key] = await placeUsers(ctx.t, ctx.bot, 851, 1);
    const node = (await ctx.t.app.get(NodesRepository).findById(key.node.id))!;
    const repository = ctx.t.app.get(UsageRepository);
    traffic(key, 100, 100);
    await pass();
    traffic(key, 30, 70);
    const readings = readingsOf(await ctx.t.app.get(PanelPoolService).run(node, (panel) => panel.listInbounds()), node);
    const since = await repository.clock();
    await expect(
      ctx.t.dataSource.transaction(async (manager) => {
        await repository.lockNodes([node.id], manager);
        const [booked] = await repository.book([{ nodeId: node.id, readings, since, complete: true }], manager);
        expect(booked).toMatchObject({ up: 30, down: 70 });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await pass()).toMatchObject({ up: 30, down: 70 });
    expect(await pass()).toMatchObject({ up: 0, down: 0 });
    expect((await usageOf(851)).total).toEqual({ up: 130, down: 170 });
  });
});

describe('usage ledger: every pass reaches every user’s hourly bucket and total, with a limit or without (real HTTP, PostgreSQL)', () => {
  const { ctx, panelOf, emailOf, traffic, pass, usageOf } = ledgerFleet();
  const usedOf = async (telegramId: number) =>
    (await ctx.t.http().get(`/api/v1/keys/${telegramId}`).set(ctx.bot).expect(200)).body.access.usedBytes;

  it('users with and without a limit: their totals, hourly buckets and the nodes’ totals after each pass', async () => {
    const [free, quota] = await placeUsers(ctx.t, ctx.bot, 601, 2);
    await ctx.t.http().patch('/api/v1/keys/602/access').set(ctx.bot).send({ trafficLimitBytes: 1_000_000 }).expect(200);
    for (let round = 1; round <= 3; round++) {
      traffic(free, 100, 200);
      traffic(quota, 10, 20);
      expect(await pass()).toMatchObject({ up: 110, down: 220, users: 2 });
      expect(await usedOf(601)).toBe(300 * round);
      expect(await usedOf(602)).toBe(30 * round);
      expect((await usageOf(601)).buckets).toEqual([
        { start: expect.any(String), nodeId: free.node.id, up: 100 * round, down: 200 * round },
      ]);
      expect((await usageOf(602)).total).toEqual({ up: 10 * round, down: 20 * round });
    }
    let nodesUp = 0;
    for (const id of ctx.fleet.nodeIds)
      nodesUp += (await ctx.t.http().get(`/api/v1/nodes/${id}/usage`).set(ctx.fleet.auth).expect(200)).body.total.up;
    expect(nodesUp).toBe(330);
    // Nothing waits in the node's cursors: its client leaving adds nothing more.
    const other = ctx.fleet.nodeIds.find((id) => id !== free.node.id)!;
    await ctx.t
      .http()
      .post(`/api/v1/users/${free.userId}/migrate`)
      .set(ctx.fleet.auth)
      .send({ nodeId: other })
      .expect(200);
    expect(await usedOf(601)).toBe(900);
  });

  it('an access change writes the quota from the total the last pass left', async () => {
    const [key] = await placeUsers(ctx.t, ctx.bot, 701, 1);
    traffic(key, 300, 300);
    await pass();
    expect(await usedOf(701)).toBe(600);
    await ctx.t.http().patch('/api/v1/keys/701/access').set(ctx.bot).send({ trafficLimitBytes: 1000 }).expect(200);
    expect(clientOn(panelOf(key.node.id), emailOf(key))).toMatchObject({ totalGB: 600 + 400 });
    traffic(key, 50, 50);
    await pass();
    expect(await usedOf(701)).toBe(700);
  });
});

describe('top users of the last 24 h from a snapshot, recomputed every TOP_USERS_REFRESH_MS (real HTTP, PostgreSQL)', () => {
  const { ctx, traffic, pass } = ledgerFleet();

  it('a replica with a refresh interval answers from the snapshot; other windows and a fresh app compute them', async () => {
    const [a, b] = await placeUsers(ctx.t, ctx.bot, 801, 2);
    traffic(a, 100, 900);
    traffic(b, 10, 20);
    await pass();
    const kept = await startTestApp({ databaseUrl: ctx.t.databaseUrl, env: { TOP_USERS_REFRESH_MS: '3600000' } });
    try {
      const top = async (app: TestApp, query = '') =>
        (
          await app
            .http()
            .get(`/api/v1/stats/top-users${query}`)
            .set({ Authorization: `Bearer ${await app.adminToken()}` })
            .expect(200)
        ).body.map((user: { userId: number; up: number; down: number }) => [user.userId, user.up + user.down]);
      // the replica computes its snapshot as it starts; two replicas never compute it within one interval
      await kept.app.get(TopUsersService).onModuleDestroy();
      expect(await kept.app.get(TopUsersService).refresh()).toBe(false);
      expect(await top(kept)).toEqual([
        [a.userId, 1000],
        [b.userId, 30],
      ]);
      expect(await top(kept, '?limit=1')).toEqual([[a.userId, 1000]]);
      traffic(b, 5000, 5000);
      await pass();
      expect(await top(ctx.t)).toEqual([
        [b.userId, 10_030],
        [a.userId, 1000],
      ]); // computed at the request
      expect(await top(kept)).toEqual([
        [a.userId, 1000],
        [b.userId, 30],
      ]); // the snapshot, until the next refresh
      expect(await top(kept, '?hours=48')).toEqual(await top(ctx.t, '?hours=48'));
      await kept.dataSource.query(`DELETE FROM task_runs WHERE name = 'top-users'`);
      expect(await kept.app.get(TopUsersService).refresh()).toBe(true);
      expect(await top(kept)).toEqual(await top(ctx.t));
    } finally {
      await kept.app.close();
    }
  });
});
