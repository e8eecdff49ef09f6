import { PanelSimulator } from '@fleet/panel-sim';
import { checkHealth, checkInvariants, fleetEmails, startFleet } from './support/fleet';
import { startTestApp, TestApp } from './support/test-app';

type Fleet = Awaited<ReturnType<typeof startFleet>>;

describe('keys API: get-or-create, placement under concurrency, subscriptions (real HTTP, PostgreSQL, panels)', () => {
  let t: TestApp;
  let fleet: Fleet;
  let bot: { Authorization: string };
  const byNode = () => new Map(fleet.nodeIds.map((id, i) => [id, fleet.panels[i]] as [number, PanelSimulator]));

  beforeEach(async () => {
    t = await startTestApp({ env: { PUBLIC_URL: 'https://vpn.example.com' } });
    fleet = await startFleet(t, [
      { node: { maxUsers: 100, location: 'Amsterdam' } },
      { node: { maxUsers: 100, weight: 2 } },
      { node: { maxUsers: 100, priority: 50 } },
    ]);
    bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
  });
  afterEach(async () => {
    await t.close();
    await fleet.stop();
  });

  const put = (telegramId: number | string, body: object = {}) =>
    t.http().put(`/api/v1/keys/${telegramId}`).set(bot).send(body);

  it('creates the user and key once (201), then returns the same key (200)', async () => {
    const first = await put(1001, { username: 'alice' }).expect(201);
    expect(first.body).toMatchObject({
      telegramId: 1001,
      key: expect.stringMatching(/^vless:\/\/[0-9a-f-]{36}@n\d\.vpn\.example:443\?/),
      subscriptionUrl: expect.stringMatching(/^https:\/\/vpn\.example\.com\/sub\/[\w-]{32}$/),
      node: { id: expect.any(Number), name: expect.any(String) },
    });
    // Every server in group order: one group (`default`), so one server, the key and node above.
    const [defaultGroup] = (await t.http().get('/api/v1/groups').set(fleet.auth).expect(200)).body;
    expect(first.body.keys).toEqual([
      {
        group: { id: defaultGroup.id, name: 'default', countryCode: null },
        node: first.body.node,
        key: first.body.key,
        assignedAt: first.body.assignedAt,
      },
    ]);
    const again = await put(1001).expect(200);
    expect(again.body).toEqual(first.body);
    expect((await t.http().get('/api/v1/keys/1001').set(bot).expect(200)).body).toEqual(first.body);
    const node = await t.http().get('/api/v1/keys/1001/node').set(bot).expect(200);
    expect(node.body).toEqual({
      node: first.body.node,
      assignedAt: first.body.assignedAt,
      servers: [{ group: first.body.keys[0].group, node: first.body.node, assignedAt: first.body.assignedAt }],
    });
    await checkInvariants(t, byNode());
  });

  it('weights count from the first user on: the first goes to the node with the highest priority × weight', async () => {
    const { body } = await put(2001).expect(201);
    expect(body.node.id).toBe(fleet.nodeIds[1]);
  });

  it('prefers the requested location and falls back when none matches', async () => {
    expect((await put(3001, { location: 'amsterdam' }).expect(201)).body.node.id).toBe(fleet.nodeIds[0]);
    expect((await put(3002, { location: 'Tokyo' }).expect(201)).body.node.id).toBe(fleet.nodeIds[1]);
  });

  it('200 simultaneous calls for one telegram id: one user, one assignment, one client on one panel', async () => {
    const responses = await Promise.all(Array.from({ length: 200 }, () => put(4242)));
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(199);
    expect(new Set(responses.map((r) => r.body.key)).size).toBe(1);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM vpn_users`);
    expect(n).toBe(1);
    expect(fleet.panels.flatMap((panel) => fleetEmails(panel))).toHaveLength(1);
    await checkInvariants(t, byNode());
  });

  it('300 simultaneous new users never overfill a node and spread by weight', async () => {
    const responses = await Promise.all(Array.from({ length: 260 }, (_, i) => put(10_000 + i)));
    expect(responses.every((r) => r.status === 201)).toBe(true);
    const loads = (await t.http().get('/api/v1/balancer/loads').set(fleet.auth).expect(200)).body;
    const users = loads.map((l: { currentUsers: number }) => l.currentUsers);
    expect(users.every((count: number) => count <= 100)).toBe(true);
    expect(users.reduce((a: number, b: number) => a + b, 0)).toBe(260);
    // priority × weight: 100×1, 100×2, 50×1 → node 2 fills first, then the score keeps ratios close
    expect(users[1]).toBe(100);
    expect(users[0]).toBeGreaterThan(users[2]);
    // 40 more: the last seats, exactly to capacity, then 503
    const last = await Promise.all(Array.from({ length: 45 }, (_, i) => put(20_000 + i)));
    expect(last.filter((r) => r.status === 201)).toHaveLength(40);
    const refused = last.filter((r) => r.status === 503);
    expect(refused).toHaveLength(5);
    expect(refused[0].body.message.join(' ')).toContain('no healthy node with free capacity');
    await checkInvariants(t, byNode());
  });

  it('a panel failing mid-burst: its placements roll back and go to the other nodes', async () => {
    const burst = Promise.all(Array.from({ length: 60 }, (_, i) => put(30_000 + i)));
    await fleet.panels[1].setFault({ kind: 'refuse' });
    const responses = await burst;
    expect(responses.every((r) => r.status === 201)).toBe(true);
    await fleet.panels[1].setFault({ kind: 'none' });
    await checkInvariants(t, byNode());
  });

  it('refresh moves the user off a node that cannot serve, with the same UUID', async () => {
    const first = (await put(5001).expect(201)).body;
    const from = fleet.nodeIds.indexOf(first.node.id);
    await t.http().patch(`/api/v1/nodes/${first.node.id}`).set(fleet.auth).send({ status: 'maintenance' }).expect(200);
    const refreshed = (await t.http().post('/api/v1/keys/5001/refresh').set(bot).expect(200)).body;
    expect(refreshed.node.id).not.toBe(first.node.id);
    expect(refreshed.subscriptionUrl).toBe(first.subscriptionUrl);
    expect(refreshed.key.split('@')[0]).toBe(first.key.split('@')[0]);
    expect(fleetEmails(fleet.panels[from])).toEqual([]);
    const still = (await t.http().post('/api/v1/keys/5001/refresh').set(bot).expect(200)).body;
    expect(still.node.id).toBe(refreshed.node.id);
    await checkInvariants(t, byNode());
  });

  it('subscription: base64 links with the update interval; no dead link; 404 for unknown tokens', async () => {
    const key = (await put(6001).expect(201)).body;
    const path = new URL(key.subscriptionUrl).pathname;
    const sub = await t.http().get(path).expect(200);
    expect(sub.headers['profile-update-interval']).toBe('1');
    expect(Buffer.from(sub.text, 'base64').toString()).toBe(`${key.key}\n`);
    expect(sub.headers['etag']).toBeUndefined();
    const head = await t.http().head(path).expect(200);
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(sub.text)));
    // the node's inbound is kept between requests, and read again once the node's row changes
    await t.dataSource.query(
      `UPDATE nodes SET inbound_snapshot = jsonb_set(inbound_snapshot, '{port}', '8443') WHERE id = $1`,
      [key.node.id],
    );
    const link = Buffer.from((await t.http().get(path).expect(200)).text, 'base64').toString();
    expect(link).toContain(':8443?');
    expect(link.replace(':8443?', ':443?')).toBe(`${key.key}\n`);

    const index = fleet.nodeIds.indexOf(key.node.id);
    await fleet.panels[index].setFault({ kind: 'refuse' });
    expect(await checkHealth(t, fleet.auth, key.node.id, 3)).toBe('unhealthy');
    const moved = Buffer.from((await t.http().get(path).expect(200)).text, 'base64').toString();
    expect(moved).not.toBe(`${key.key}\n`);
    expect(moved).toMatch(/^vless:\/\//);
    await t.http().get('/sub/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA').expect(404);
    await t.http().get('/sub/x').expect(404);
  });

  it('bad input and credentials', async () => {
    for (const bad of ['0', '-1', 'abc', '1.5', '9007199254740992', '1e3', '0x10']) {
      const { body } = await put(bad).expect(400);
      expect(JSON.stringify(body.message)).toContain('telegramId must be a positive integer');
    }
    expect((await put(7001, { location: '' }).expect(400)).body.message).toEqual(
      expect.arrayContaining([expect.stringContaining('location')]),
    );
    await put(7001, { extra: 1 }).expect(400);
    await t.http().put('/api/v1/keys/7001').send({}).expect(401);
    await t.http().put('/api/v1/keys/7001').set({ Authorization: 'Bearer nope' }).send({}).expect(401);
    const viewer = { Authorization: `Bearer ${await t.tokenFor('viewer')}` };
    await t.http().put('/api/v1/keys/7001').set(viewer).send({}).expect(403);
    await t.http().get('/api/v1/keys/7001').set(bot).expect(404);
    await t.http().get('/api/v1/nodes').set(bot).expect(403);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM vpn_users`);
    expect(n).toBe(0);
  });

  it('503 with Retry-After when no node is eligible', async () => {
    for (const id of fleet.nodeIds) {
      await t.http().patch(`/api/v1/nodes/${id}`).set(fleet.auth).send({ status: 'inactive' }).expect(200);
    }
    const refused = await put(8001).expect(503);
    expect(refused.body).toMatchObject({ code: 'NO_CAPACITY' });
    expect(refused.body.message.join(' ')).toContain('no healthy node with free capacity');
    expect(refused.headers['retry-after']).toBe('30');
  });

  describe('relocate', () => {
    const relocate = (telegramId: number, body: object, auth = bot) =>
      t.http().post(`/api/v1/keys/${telegramId}/relocate`).set(auth).send(body);

    it('moves the user to a node in the location asked for, once; nothing when already there', async () => {
      const placed = (await put(9001, { location: 'Tokyo' }).expect(201)).body;
      expect(placed.node.location).not.toBe('Amsterdam');
      const moved = (await relocate(9001, { location: 'AMSTERDAM' }).expect(200)).body;
      expect(moved.node).toMatchObject({ id: fleet.nodeIds[0], location: 'Amsterdam' });
      expect(moved.key).not.toBe('');
      const [event] = await t.dataSource.query(
        `SELECT payload FROM events WHERE type = 'user.migrated' AND user_id = $1`,
        [placed.userId],
      );
      expect(event.payload).toMatchObject({ reason: 'relocate', toNodeId: fleet.nodeIds[0] });
      expect((await relocate(9001, { location: 'amsterdam' }).expect(200)).body.keys).toEqual(moved.keys);
      expect(fleetEmails(fleet.panels[0])).toEqual([`u${placed.userId}-n${fleet.nodeIds[0]}`]);
      await checkInvariants(t, byNode());
    });

    it('409 naming the location when no node there can take the user; the user stays', async () => {
      const placed = (await put(9002).expect(201)).body;
      const refused = await relocate(9002, { location: 'Tokyo' }).expect(409);
      expect(refused.body).toMatchObject({ code: 'NODE_NOT_ELIGIBLE' });
      expect(refused.body.message.join(' ')).toMatch(/location: no node in Tokyo/);
      await t.http().patch(`/api/v1/nodes/${fleet.nodeIds[0]}`).set(fleet.auth).send({ status: 'maintenance' });
      await relocate(9002, { location: 'Amsterdam' }).expect(409);
      expect((await t.http().get('/api/v1/keys/9002').set(bot).expect(200)).body.node).toEqual(placed.node);
    });

    it.each<[string, object, RegExp]>([
      ['no location', {}, /location must be a string/],
      ['a blank location', { location: '  ' }, /location must not be blank/],
      ['a long location', { location: 'x'.repeat(65) }, /location must be shorter than or equal to 64/],
      ['a group id that is no integer', { location: 'Amsterdam', groupId: 1.5 }, /groupId must be an integer/],
      ['a group the user holds no server in', { location: 'Amsterdam', groupId: 99 }, /groupId: the user holds no/],
      ['an unknown field', { location: 'Amsterdam', node: 1 }, /node should not exist/],
    ])('400 for %s, naming the field', async (_label, body, message) => {
      await put(9003).expect(201);
      const refused = await relocate(9003, body).expect(400);
      expect(refused.body.message.join('; ')).toMatch(message);
    });

    it('404 for an unknown user; 401 without a token; 403 for a viewer', async () => {
      await relocate(9999, { location: 'Amsterdam' }).expect(404);
      await t.http().post('/api/v1/keys/9004/relocate').send({ location: 'Amsterdam' }).expect(401);
      const viewer = { Authorization: `Bearer ${await t.tokenFor('viewer')}` };
      await put(9004).expect(201);
      await relocate(9004, { location: 'Amsterdam' }, viewer).expect(403);
    });
  });

  describe('lookups', () => {
    it('finds the bot’s users by username, exactly and case-insensitively, one page', async () => {
      const alice = (await put(9101, { username: 'Alice' }).expect(201)).body;
      await put(9102, { username: 'alice_b' }).expect(201);
      const found = await t.http().get('/api/v1/keys?username=ALICE').set(bot).expect(200);
      expect(found.body).toMatchObject({ total: 1, page: 1, limit: 50 });
      expect(found.body.items).toEqual([alice]);
      expect((await t.http().get('/api/v1/keys?username=nobody').set(bot).expect(200)).body).toMatchObject({
        items: [],
        total: 0,
      });
    });

    it.each<[string, string, RegExp]>([
      ['no username', '', /username must be a string/],
      ['a blank username', '?username=%20', /username must not be blank/],
      ['a long username', `?username=${'x'.repeat(256)}`, /username must be shorter than or equal to 255/],
      ['a limit of 0', '?username=a&limit=0', /limit must not be less than 1/],
    ])('400 for %s, naming the field', async (_label, query, message) => {
      const refused = await t.http().get(`/api/v1/keys${query}`).set(bot).expect(400);
      expect(refused.body.message.join('; ')).toMatch(message);
    });

    it('401 without a token; 403 for a viewer', async () => {
      await t.http().get('/api/v1/keys?username=a').expect(401);
      const viewer = { Authorization: `Bearer ${await t.tokenFor('viewer')}` };
      await t.http().get('/api/v1/keys?username=a').set(viewer).expect(403);
    });

    it('the key says when the ledger last saw the user’s traffic and when they last got a server', async () => {
      const key = (await put(9201).expect(201)).body;
      expect(key).toMatchObject({ onlineAt: null, lastNodeChange: key.assignedAt });
      const panel = fleet.panels[fleet.nodeIds.indexOf(key.node.id)];
      panel.state.recordTraffic([{ email: `u${key.userId}-n${key.node.id}`, up: 1000, down: 5000 }]);
      const before = Date.now();
      await t.http().post('/api/v1/usage/collect').set(fleet.auth).expect(200);
      const seen = (await t.http().get('/api/v1/keys/9201').set(bot).expect(200)).body;
      expect(new Date(seen.onlineAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
      const moved = (await t.http().post('/api/v1/keys/9201/relocate').set(bot).send({ location: 'Amsterdam' })).body;
      expect(moved.lastNodeChange > key.lastNodeChange).toBe(true);
    });
  });

  it('the OpenAPI document declares telegramId on every /keys/{telegramId} operation, and PUT’s 201', async () => {
    const { body: document } = await t.http().get('/api/docs-json').expect(200);
    const keyPaths = Object.keys(document.paths).filter((path) => path.includes('{telegramId}'));
    const operations = keyPaths.flatMap((path) => Object.keys(document.paths[path]));
    expect(operations.length).toBeGreaterThanOrEqual(10); // get-or-create, read, delete and the actions on a key
    for (const path of keyPaths) {
      for (const [method, operation] of Object.entries<{ parameters?: Array<{ name: string; in: string }> }>(
        document.paths[path],
      )) {
        expect({
          path,
          method,
          declared: operation.parameters?.some((p) => p.name === 'telegramId' && p.in === 'path'),
        }).toEqual({ path, method, declared: true });
      }
    }
    expect(Object.keys(document.paths['/api/v1/keys/{telegramId}'].put.responses)).toEqual(
      expect.arrayContaining(['200', '201']),
    );
  });
});
