import { PanelSimulator } from '@fleet/panel-sim';
import { checkHealth, checkInvariants, eventually, fleetEmails, patchNodes, startFleet } from './support/fleet';
import { startTestApp, TestApp } from './support/test-app';

type Fleet = Awaited<ReturnType<typeof startFleet>>;

/**
 * A seat per group of the plan (real HTTP, PostgreSQL, simulated panels): the key body, the node answer and the
 * subscription list every server in group order; a plan change places and releases seats; a group without room leaves
 * its seat waiting, placed when room returns; a failover moves a seat within its group only.
 */
describe('seats: one server per group of the plan', () => {
  let t: TestApp;
  let fleet: Fleet;
  let bot: { Authorization: string };
  let groups: { main: number; germany: number; dutch: number };
  const byNode = () => new Map(fleet.nodeIds.map((id, i) => [id, fleet.panels[i]] as [number, PanelSimulator]));
  const seats = async (userId: number) =>
    (
      await t.dataSource.query(
        `SELECT group_id, node_id FROM assignments WHERE user_id = $1 AND state = 'active' ORDER BY group_id`,
        [userId],
      )
    ).map((row: { group_id: number; node_id: number }) => [row.group_id, row.node_id]);

  beforeEach(async () => {
    t = await startTestApp({ env: { BACKGROUND_TICK_MS: '100', JOB_CONCURRENCY: '2' } });
    // Nodes 1–2 in `default`, 3–4 in Germany, 5 in the Netherlands.
    fleet = await startFleet(
      t,
      Array.from({ length: 5 }, () => ({ node: { maxUsers: 20 } })),
    );
    bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
    const create = async (body: Record<string, unknown>) =>
      (await t.http().post('/api/v1/groups').set(fleet.auth).send(body).expect(201)).body.id as number;
    const [{ id: main }] = await t.dataSource.query(`SELECT id FROM node_groups WHERE name = 'default'`);
    groups = {
      main,
      germany: await create({ name: 'Germany', countryCode: 'DE', sortOrder: 10, defaultForNewUsers: true }),
      dutch: await create({ name: 'Netherlands', countryCode: 'NL', sortOrder: 20, defaultForNewUsers: true }),
    };
    await patchNodes(t, fleet.auth, fleet.nodeIds.slice(2, 4), { groupId: groups.germany });
    await patchNodes(t, fleet.auth, fleet.nodeIds.slice(4), { groupId: groups.dutch });
  });
  afterEach(async () => {
    await t.close();
    await fleet.stop();
  });

  it('places a seat in each group; the key, the node answer and the subscription list them in group order', async () => {
    const puts = await Promise.all(
      Array.from({ length: 50 }, () => t.http().put('/api/v1/keys/7001').set(bot).send({})),
    );
    expect(puts.map((put) => put.status).sort((a, b) => b - a)).toEqual([201, ...Array(49).fill(200)]);
    const key = puts.find((put) => put.status === 201)!.body;
    for (const put of puts) expect(put.body.keys).toEqual(key.keys);
    expect(key.keys.map((seat: { group: { name: string } }) => seat.group.name)).toEqual([
      'default',
      'Germany',
      'Netherlands',
    ]);
    expect(key.access.groups).toEqual([groups.main, groups.germany, groups.dutch]);
    expect(key.key).toBe(key.keys[0].key);
    expect(key.keys[1].key).toMatch(/#%F0%9F%87%A9%F0%9F%87%AA%20Germany$/); // 🇩🇪 Germany
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM vpn_users`)).toEqual([{ n: 1 }]);
    const placed = await seats(key.userId);
    expect(placed.map(([group]: number[]) => group)).toEqual([groups.main, groups.germany, groups.dutch]);
    expect(placed[2][1]).toBe(fleet.nodeIds[4]);

    const node = (await t.http().get('/api/v1/keys/7001/node').set(bot).expect(200)).body;
    expect(node.servers.map((server: { node: { id: number } }) => server.node.id)).toEqual(
      key.keys.map((seat: { node: { id: number } }) => seat.node.id),
    );
    const token = key.subscriptionUrl.split('/sub/')[1];
    const links = Buffer.from((await t.http().get(`/sub/${token}`).expect(200)).text, 'base64')
      .toString()
      .split('\n')
      .filter(Boolean);
    expect(links).toEqual(key.keys.map((seat: { key: string }) => seat.key));
    await checkInvariants(t, byNode());
  });

  it('a plan change releases the dropped group’s seat (client off its panel) and places the added one', async () => {
    await t.http().patch(`/api/v1/groups/${groups.dutch}`).set(fleet.auth).send({ defaultForNewUsers: false });
    const key = (await t.http().put('/api/v1/keys/7002').set(bot).send({}).expect(201)).body;
    expect(key.keys).toHaveLength(2);
    const germanNode = key.keys[1].node.id;
    const patched = await t
      .http()
      .patch('/api/v1/keys/7002/access')
      .set(bot)
      .send({ groups: ['netherlands', groups.main] })
      .expect(200);
    expect(patched.body.access.groups).toEqual([groups.main, groups.dutch]);
    expect(patched.body.keys.map((seat: { group: { id: number } }) => seat.group.id)).toEqual([
      groups.main,
      groups.dutch,
    ]);
    const germanPanel = fleet.panels[fleet.nodeIds.indexOf(germanNode)];
    expect(fleetEmails(germanPanel)).toEqual([]);
    const [changed] = await t.dataSource.query(
      `SELECT payload FROM events WHERE type = 'user.access_changed' ORDER BY id DESC LIMIT 1`,
    );
    expect(changed.payload.changed).toEqual(['groups']);
    await checkInvariants(t, byNode());
  });

  it.each<[string, unknown, RegExp]>([
    ['an unknown group', ['Atlantis'], /groups\[0\]: no group "Atlantis"/],
    ['an unknown id', [999_999], /groups\[0\]/],
    ['a group twice', ['Germany', 'germany'], /groups\[1\]: group Germany is named twice/],
    ['no group', [], /at least one group/],
    ['1,000 groups', Array.from({ length: 1000 }, (_, i) => i + 1), /groups must have at most 200 items/],
    ['a non-integer id', [1.5], /each entry of groups/],
    ['an id past int4', [2_147_483_648], /each entry of groups/],
    ['an object', [{ id: 1 }], /each entry of groups/],
    ['not a list', 'Germany', /groups must be an array/],
  ])('refuses a plan naming %s, naming the field, changing nothing', async (_label, groupsField, message) => {
    const key = (await t.http().put('/api/v1/keys/7003').set(bot).send({})).body;
    const refused = await t.http().patch('/api/v1/keys/7003/access').set(bot).send({ groups: groupsField }).expect(400);
    expect(refused.body.message.join('; ')).toMatch(message);
    expect((await t.http().get('/api/v1/keys/7003').set(bot).expect(200)).body.keys).toEqual(key.keys);
  });

  it('refuses a plan change with wrong credentials', async () => {
    await t.http().put('/api/v1/keys/7004').set(bot).send({}).expect(201);
    await t
      .http()
      .patch('/api/v1/keys/7004/access')
      .set({ Authorization: 'Bearer wrong' })
      .send({ groups: ['Germany'] })
      .expect(401);
  });

  it('a group without room leaves its seat waiting, without failing the others; placed once room returns', async () => {
    await patchNodes(t, fleet.auth, [fleet.nodeIds[4]], { status: 'maintenance' });
    const key = (await t.http().put('/api/v1/keys/7005').set(bot).send({}).expect(201)).body;
    expect(key.keys.map((seat: { group: { id: number } }) => seat.group.id)).toEqual([groups.main, groups.germany]);
    const user = (await t.http().get(`/api/v1/users/${key.userId}`).set(fleet.auth).expect(200)).body;
    expect(user.waiting).toEqual([
      expect.objectContaining({ group: { id: groups.dutch, name: 'Netherlands', countryCode: 'NL' } }),
    ]);
    const overview = async () =>
      (await t.http().get('/api/v1/stats/overview').set(fleet.auth).expect(200)).body.alerts.seatsWaiting;
    expect(await overview()).toBe(1);
    await patchNodes(t, fleet.auth, [fleet.nodeIds[4]], { status: 'active' });
    const placed = await eventually(
      () => seats(key.userId),
      (rows: number[][]) => rows.length === 3,
      20_000,
    );
    expect(placed[2]).toEqual([groups.dutch, fleet.nodeIds[4]]);
    expect((await t.http().get(`/api/v1/users/${key.userId}`).set(fleet.auth).expect(200)).body.waiting).toEqual([]);
    expect(await overview()).toBe(0);
    await checkInvariants(t, byNode());
  });

  it('a failover moves the fallen node’s seats within their group; the user’s other seats stay', async () => {
    const keys = [];
    for (let i = 0; i < 4; i++)
      keys.push(
        (
          await t
            .http()
            .put(`/api/v1/keys/${7100 + i}`)
            .set(bot)
            .send({})
        ).body,
      );
    const before = new Map(await Promise.all(keys.map(async (key) => [key.userId, await seats(key.userId)] as const)));
    const fallen = fleet.nodeIds[2]; // a German node
    await fleet.panels[2].setFault({ kind: 'refuse' });
    await checkHealth(t, fleet.auth, fallen, 3);
    await eventually(
      () => t.dataSource.query(`SELECT 1 FROM assignments WHERE node_id = $1 AND state = 'active'`, [fallen]),
      (rows: unknown[]) => rows.length === 0,
      20_000,
    );
    for (const key of keys) {
      const now = await seats(key.userId);
      const was = before.get(key.userId)!;
      expect(now.map(([group]: number[]) => group)).toEqual(was.map(([group]: number[]) => group));
      for (const [i, [group, node]] of now.entries()) {
        if (group === groups.germany) expect(node).toBe(fleet.nodeIds[3]);
        else expect(node).toBe(was[i][1]);
      }
    }
    await checkInvariants(t, new Map([...byNode()].filter(([id]) => id !== fallen)));
  });

  it('a node moved to another group: seats follow it where the plan names that group, the others move in theirs', async () => {
    const [one, two] = fleet.nodeIds;
    await patchNodes(t, fleet.auth, [two, fleet.nodeIds[4]], { status: 'maintenance' });
    const follower = (await t.http().put('/api/v1/keys/7201').set(bot).send({}).expect(201)).body;
    const stayer = (await t.http().put('/api/v1/keys/7202').set(bot).send({}).expect(201)).body;
    await t
      .http()
      .patch('/api/v1/keys/7202/access')
      .set(bot)
      .send({ groups: ['default'] })
      .expect(200);
    expect(await seats(stayer.userId)).toEqual([[groups.main, one]]);
    expect((await seats(follower.userId))[0]).toEqual([groups.main, one]);
    await patchNodes(t, fleet.auth, [two], { status: 'active' });

    await patchNodes(t, fleet.auth, [one], { groupId: groups.dutch });
    const moved = await eventually(
      () => seats(stayer.userId),
      (rows: number[][]) => rows[0]?.[1] === two,
      20_000,
    );
    expect(moved).toEqual([[groups.main, two]]);
    const follows = await eventually(
      () => seats(follower.userId),
      (rows: number[][]) => rows.length === 3,
      20_000,
    );
    // The seat on node one now stands for the Netherlands; its default seat was placed anew on node two.
    expect(follows).toEqual(
      [
        [groups.main, two],
        [groups.germany, expect.any(Number)],
        [groups.dutch, one],
      ].sort((a, b) => Number(a[0]) - Number(b[0])),
    );
    const [job] = await t.dataSource.query(`SELECT kind, node_id FROM jobs WHERE kind = 'regroup'`);
    expect(job).toEqual({ kind: 'regroup', node_id: one });
    await eventually(
      () => t.dataSource.query(`SELECT 1 FROM seat_waits`),
      (rows: unknown[]) => rows.length === 0,
      20_000,
    );
    await checkInvariants(t, byNode());
  });

  it('plan changes racing a failover leave exactly the seats the plans ask for', async () => {
    await t.http().patch(`/api/v1/groups/${groups.dutch}`).set(fleet.auth).send({ defaultForNewUsers: false });
    const keys: Array<{ userId: number }> = [];
    for (let i = 0; i < 10; i++)
      keys.push(
        (
          await t
            .http()
            .put(`/api/v1/keys/${7300 + i}`)
            .set(bot)
            .send({})
        ).body,
      );
    const fallen = fleet.nodeIds[2];
    await fleet.panels[2].setFault({ kind: 'refuse' });
    const plans = keys.map((_, i) => (i % 2 ? [groups.main] : [groups.main, groups.germany, groups.dutch]));
    await Promise.all([
      checkHealth(t, fleet.auth, fallen, 3),
      ...keys.map((key, i) =>
        t.http().patch(`/api/v1/users/${key.userId}/access`).set(fleet.auth).send({ groups: plans[i] }).expect(200),
      ),
    ]);
    const planned = async () => {
      for (const [i, key] of keys.entries()) {
        const held = (await seats(key.userId)).map(([group]: number[]) => group);
        if (JSON.stringify(held) !== JSON.stringify(plans[i])) return false;
      }
      const left = await t.dataSource.query(
        `SELECT 1 FROM assignments WHERE node_id = $1 AND state <> 'released'
         UNION ALL SELECT 1 FROM seat_waits UNION ALL SELECT 1 FROM jobs WHERE status IN ('pending', 'running')`,
        [fallen],
      );
      return left.length === 0;
    };
    expect(await eventually(planned, Boolean, 30_000)).toBe(true);
    await checkInvariants(t, new Map([...byNode()].filter(([id]) => id !== fallen)));
  });

  it('a group whose seats still stand on a node that left it cannot be deleted until they are gone', async () => {
    const key = (await t.http().put('/api/v1/keys/7401').set(bot).send({}).expect(201)).body;
    await t
      .http()
      .patch('/api/v1/keys/7401/access')
      .set(bot)
      .send({ groups: ['default', 'Netherlands'] })
      .expect(200);
    await patchNodes(t, fleet.auth, [fleet.nodeIds[4]], { groupId: groups.germany });
    // Its seat stands for the Netherlands, which has no node left: the regroup job cannot move it.
    expect(await seats(key.userId)).toContainEqual([groups.dutch, fleet.nodeIds[4]]);
    const refused = await t.http().delete(`/api/v1/groups/${groups.dutch}`).set(fleet.auth).expect(409);
    expect(refused.body.message.join(' ')).toMatch(/still hold servers/);
    await t
      .http()
      .patch('/api/v1/keys/7401/access')
      .set(bot)
      .send({ groups: ['default'] })
      .expect(200);
    await t.http().delete(`/api/v1/groups/${groups.dutch}`).set(fleet.auth).expect(204);
    await checkInvariants(t, byNode());
  });

  it('a PUT whose plan names groups places a seat in those only', async () => {
    const key = (
      await t
        .http()
        .put('/api/v1/keys/7501')
        .set(bot)
        .send({ plan: { groups: ['netherlands', 'Germany'] } })
        .expect(201)
    ).body;
    expect(key.planApplied).toBe(true);
    expect(key.access.groups).toEqual([groups.germany, groups.dutch]);
    expect((await seats(key.userId)).map(([group]: number[]) => group)).toEqual([groups.germany, groups.dutch]);
    await checkInvariants(t, byNode());
  });

  it('relocate moves the server of the group named, within that group; with several servers the group is required', async () => {
    const [, , german, otherGerman] = fleet.nodeIds;
    await patchNodes(t, fleet.auth, [otherGerman], { status: 'maintenance', location: 'Berlin' });
    const key = (await t.http().put('/api/v1/keys/7601').set(bot).send({}).expect(201)).body;
    expect(await seats(key.userId)).toContainEqual([groups.germany, german]);
    await patchNodes(t, fleet.auth, [otherGerman], { status: 'active' });
    const ambiguous = await t
      .http()
      .post('/api/v1/keys/7601/relocate')
      .set(bot)
      .send({ location: 'Berlin' })
      .expect(400);
    expect(ambiguous.body.message.join()).toMatch(/groupId: the user holds 3 servers/);
    // Berlin is in Germany: the default group's server cannot go there.
    await t
      .http()
      .post('/api/v1/keys/7601/relocate')
      .set(bot)
      .send({ location: 'Berlin', groupId: groups.main })
      .expect(409);
    const moved = await t
      .http()
      .post('/api/v1/keys/7601/relocate')
      .set(bot)
      .send({ location: 'Berlin', groupId: groups.germany })
      .expect(200);
    expect(moved.body.keys[1]).toMatchObject({ group: { id: groups.germany }, node: { id: otherGerman } });
    expect(await seats(key.userId)).toContainEqual([groups.germany, otherGerman]);
    await checkInvariants(t, byNode());
  });
});
