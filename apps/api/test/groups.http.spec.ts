import { nodeBody, startTestApp, TestApp } from './support/test-app';

describe('node groups API (real HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let admin: { Authorization: string };
  let viewer: { Authorization: string };
  let bot: { Authorization: string };

  beforeAll(async () => {
    t = await startTestApp();
    admin = { Authorization: `Bearer ${await t.adminToken()}` };
    viewer = { Authorization: `Bearer ${await t.tokenFor('viewer')}` };
    bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
  });
  afterAll(() => t.close());

  const create = (body: Record<string, unknown>) => t.http().post('/api/v1/groups').set(admin).send(body);
  const groupsAudit = async (groupId: number) =>
    (
      await t.dataSource.query(`SELECT type FROM events WHERE payload->>'groupId' = $1 ORDER BY id`, [String(groupId)])
    ).map((row: { type: string }) => row.type);

  it('starts with `default`, the group of new users and of nodes created without one', async () => {
    const { body } = await t.http().get('/api/v1/groups').set(viewer).expect(200);
    expect(body[0]).toMatchObject({ name: 'default', countryCode: null, sortOrder: 0, defaultForNewUsers: true });
    const node = await t
      .http()
      .post('/api/v1/nodes')
      .set(admin)
      .send(nodeBody({ name: 'grouped-default' }))
      .expect(201);
    expect(node.body.groupId).toBe(body[0].id);
    const after = await t.http().get(`/api/v1/groups/${body[0].id}`).set(viewer).expect(200);
    expect(after.body.nodeCount).toBe(body[0].nodeCount + 1);
  });

  it('creates, lists in order, updates and deletes a group, each step in the audit log', async () => {
    const created = await create({ name: '  Germany ', countryCode: 'de', sortOrder: 5 }).expect(201);
    expect(created.body).toMatchObject({
      name: 'Germany',
      countryCode: 'DE',
      sortOrder: 5,
      defaultForNewUsers: false,
      nodeCount: 0,
    });
    const id = created.body.id as number;
    await create({ name: 'Netherlands', countryCode: 'NL', sortOrder: 1 }).expect(201);
    const names = (await t.http().get('/api/v1/groups').set(viewer).expect(200)).body.map(
      (group: { name: string }) => group.name,
    );
    expect(names.indexOf('Netherlands')).toBeLessThan(names.indexOf('Germany'));

    const patched = await t
      .http()
      .patch(`/api/v1/groups/${id}`)
      .set(admin)
      .send({ name: 'Deutschland', countryCode: null })
      .expect(200);
    expect(patched.body).toMatchObject({ id, name: 'Deutschland', countryCode: null, sortOrder: 5 });
    await t.http().delete(`/api/v1/groups/${id}`).set(admin).expect(204);
    await t.http().get(`/api/v1/groups/${id}`).set(viewer).expect(404);
    expect(await groupsAudit(id)).toEqual(['group.created', 'group.updated', 'group.deleted']);
  });

  it('refuses a duplicate name (case-insensitive), on create and on rename', async () => {
    await create({ name: 'Finland' }).expect(201);
    const duplicate = await create({ name: 'FINLAND' }).expect(409);
    expect(duplicate.body).toMatchObject({ code: 'GROUP_NAME_TAKEN' });
    const other = await create({ name: 'Sweden' }).expect(201);
    await t.http().patch(`/api/v1/groups/${other.body.id}`).set(admin).send({ name: 'finland' }).expect(409);
  });

  it('keeps a group with nodes, names the node count; once the node moves away it can go', async () => {
    const group = (await create({ name: 'Poland', countryCode: 'PL' }).expect(201)).body;
    const node = (
      await t
        .http()
        .post('/api/v1/nodes')
        .set(admin)
        .send(nodeBody({ name: 'pl-waw-1', groupId: group.id }))
        .expect(201)
    ).body;
    expect(node.groupId).toBe(group.id);
    expect((await t.http().get(`/api/v1/groups/${group.id}`).set(viewer).expect(200)).body.nodeCount).toBe(1);
    const refused = await t.http().delete(`/api/v1/groups/${group.id}`).set(admin).expect(409);
    expect(refused.body).toMatchObject({ code: 'GROUP_HAS_NODES' });

    const [first] = (await t.http().get('/api/v1/groups').set(viewer).expect(200)).body;
    const moved = await t.http().patch(`/api/v1/nodes/${node.id}`).set(admin).send({ groupId: first.id }).expect(200);
    expect(moved.body.groupId).toBe(first.id);
    await t.http().delete(`/api/v1/groups/${group.id}`).set(admin).expect(204);
  });

  it('a node with an unknown group is refused naming the field, and nothing is written', async () => {
    const before = (await t.dataSource.query(`SELECT count(*)::int AS n FROM nodes`))[0].n;
    const response = await t
      .http()
      .post('/api/v1/nodes')
      .set(admin)
      .send(nodeBody({ name: 'nowhere-1', groupId: 999_999 }))
      .expect(404);
    expect(response.body).toMatchObject({ code: 'GROUP_NOT_FOUND' });
    expect(response.body.message.join(' ')).toMatch(/groupId/);
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM nodes`))[0].n).toBe(before);
    for (const groupId of [0, -1, 1.5, '1', 2 ** 31]) {
      const invalid = await t
        .http()
        .post('/api/v1/nodes')
        .set(admin)
        .send(nodeBody({ name: 'nowhere-2', groupId }))
        .expect(400);
      expect(JSON.stringify(invalid.body.message)).toMatch(/groupId/);
    }
  });

  it('a node with a placement onto it under way keeps its group until it lands (409 naming groupId)', async () => {
    const group = (await create({ name: 'Latvia' }).expect(201)).body;
    const node = (
      await t
        .http()
        .post('/api/v1/nodes')
        .set(admin)
        .send(nodeBody({ name: 'lv-rix-1' }))
        .expect(201)
    ).body;
    const [user] = await t.dataSource.query(
      `INSERT INTO vpn_users (telegram_id, uuid, subscription_token) VALUES (4401, gen_random_uuid(), 'tok-4401')
       RETURNING id`,
    );
    await t.dataSource.query(
      `INSERT INTO assignments (user_id, node_id, group_id, inbound_id, client_email, state)
       VALUES ($1, $2, $3, 1, 'u-lv', 'pending')`,
      [user.id, node.id, node.groupId],
    );
    const refused = await t.http().patch(`/api/v1/nodes/${node.id}`).set(admin).send({ groupId: group.id }).expect(409);
    expect(refused.body).toMatchObject({ code: 'MOVE_IN_PROGRESS' });
    expect(refused.body.message.join(' ')).toMatch(/groupId/);
    expect((await t.http().get(`/api/v1/nodes/${node.id}`).set(admin).expect(200)).body.groupId).toBe(node.groupId);
    await t.dataSource.query(`DELETE FROM assignments WHERE user_id = $1`, [user.id]);
    await t.http().patch(`/api/v1/nodes/${node.id}`).set(admin).send({ groupId: group.id }).expect(200);
  });

  it('rejects invalid input with a 400 naming the field, and writes nothing', async () => {
    const count = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM node_groups`))[0].n;
    const before = await count();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{}, 'name'],
      [{ name: '' }, 'name'],
      [{ name: '   ' }, 'name'],
      [{ name: 'x'.repeat(65) }, 'name'],
      [{ name: 42 }, 'name'],
      [{ name: 'a\u0000b' }, 'name'],
      [{ name: 'a\ud800b' }, 'name'],
      [{ name: 'ok-1', countryCode: 'DEU' }, 'countryCode'],
      [{ name: 'ok-2', countryCode: 'D1' }, 'countryCode'],
      [{ name: 'ok-3', sortOrder: 1.5 }, 'sortOrder'],
      [{ name: 'ok-4', sortOrder: 10_000_000 }, 'sortOrder'],
      [{ name: 'ok-4b', sortOrder: -1 }, 'sortOrder'],
      [{ name: 'ok-5', defaultForNewUsers: 'yes' }, 'defaultForNewUsers'],
      [{ name: 'ok-6', extra: true }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const response = await create(body).expect(400);
      expect(JSON.stringify(response.body.message)).toContain(field);
      expect(JSON.stringify(response.body)).not.toMatch(/at \w+ \(/); // no stack trace
    }
    expect(await count()).toBe(before);
    for (const id of ['abc', '1.5', '-1', '0x10', '99999999999']) {
      await t.http().get(`/api/v1/groups/${id}`).set(viewer).expect(400);
      await t.http().patch(`/api/v1/groups/${id}`).set(admin).send({ name: 'x' }).expect(400);
      await t.http().delete(`/api/v1/groups/${id}`).set(admin).expect(400);
    }
    await t.http().patch('/api/v1/groups/999999').set(admin).send({ name: 'x' }).expect(404);
    await t.http().delete('/api/v1/groups/999999').set(admin).expect(404);
  });

  it('answers 401 without credentials and 403 to roles that may not write', async () => {
    await t.http().get('/api/v1/groups').expect(401);
    await t.http().get('/api/v1/groups').set({ Authorization: 'Bearer not-a-token' }).expect(401);
    await t.http().post('/api/v1/groups').send({ name: 'anon' }).expect(401);
    await t.http().get('/api/v1/groups').set(bot).expect(403);
    for (const auth of [viewer, bot]) {
      await t.http().post('/api/v1/groups').set(auth).send({ name: 'not-allowed' }).expect(403);
      await t.http().patch('/api/v1/groups/1').set(auth).send({ name: 'not-allowed' }).expect(403);
      await t.http().delete('/api/v1/groups/1').set(auth).expect(403);
    }
    expect(
      (await t.http().get('/api/v1/groups').set(viewer).expect(200)).body.map((g: { name: string }) => g.name),
    ).not.toContain('not-allowed');
  });
});
