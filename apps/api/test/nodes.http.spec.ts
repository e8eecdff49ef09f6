import { nodeBody, startTestApp, TestApp } from './support/test-app';

describe('nodes API (real HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let auth: { Authorization: string };

  beforeAll(async () => {
    t = await startTestApp();
    auth = { Authorization: `Bearer ${await t.adminToken()}` };
  });
  afterAll(() => t.close());

  const countNodes = async () => Number((await t.dataSource.query('SELECT count(*) AS n FROM nodes'))[0].n);

  describe('create and read', () => {
    it('creates a node with the contract defaults and returns it without secrets', async () => {
      const body = nodeBody({ name: 'defaults-node', panelApiToken: 'v3-api-token-secret' });
      const response = await t.http().post('/api/v1/nodes').set(auth).send(body).expect(201);
      expect(response.body).toMatchObject({
        name: 'defaults-node',
        panelUrl: 'https://panel.example.com:2053/secretpath/',
        panelUsername: 'admin',
        maxUsers: 1000,
        currentUsers: 0,
        loadRatio: 0,
        priority: 100,
        weight: 1,
        status: 'active',
        healthStatus: 'unknown',
        tlsVerify: true,
        hasPanelApiToken: true,
        lastHealthCheck: null,
      });
      const text = JSON.stringify(response.body);
      expect(text).not.toContain('panel-password-123');
      expect(text).not.toContain('v3-api-token-secret');
      expect(response.body).not.toHaveProperty('panelPassword');
      expect(response.body).not.toHaveProperty('panelApiToken');

      const fetched = await t.http().get(`/api/v1/nodes/${response.body.id}`).set(auth).expect(200);
      expect(fetched.body).toEqual(response.body);
      const listed = await t.http().get('/api/v1/nodes').set(auth).expect(200);
      expect(listed.body.items.map((node: { id: number }) => node.id)).toContain(response.body.id);
      expect(JSON.stringify(listed.body)).not.toContain('panel-password-123');
    });

    it('lists by status, health, location and search, a page at a time with the matching total', async () => {
      const tag = `Paged-${Date.now()}`;
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) {
        const body = nodeBody({ name: `paged-${i}-${tag}`, location: tag, status: i === 4 ? 'maintenance' : 'active' });
        ids.push((await t.http().post('/api/v1/nodes').set(auth).send(body).expect(201)).body.id);
      }
      const list = (query: string) => t.http().get(`/api/v1/nodes?${query}`).set(auth).expect(200);
      const idsOf = (response: { body: { items: Array<{ id: number }> } }) =>
        response.body.items.map((node) => node.id);
      const all = await list(`location=${tag.toLowerCase()}`);
      expect(idsOf(all)).toEqual(ids);
      expect(all.body).toMatchObject({ total: 5, page: 1, limit: 5, nextCursor: null });
      const first = await list(`location=${tag}&limit=2`);
      const third = await list(`location=${tag}&limit=2&page=3`);
      expect(idsOf(first)).toEqual(ids.slice(0, 2));
      expect(idsOf(third)).toEqual(ids.slice(4));
      expect([first.body.total, third.body.total]).toEqual([5, 5]);
      // the same pages by key: `after` = the previous page's nextCursor
      expect(first.body.nextCursor).toBe(String(ids[1]));
      const second = await list(`location=${tag}&limit=2&after=${first.body.nextCursor}`);
      expect([idsOf(second), second.body.total]).toEqual([ids.slice(2, 4), 5]);
      expect(idsOf(await list(`location=${tag}&limit=2&after=${second.body.nextCursor}`))).toEqual(ids.slice(4));
      expect(idsOf(await list(`location=${tag}&status=maintenance`))).toEqual([ids[4]]);
      expect(idsOf(await list(`search=paged-3-${tag}`))).toEqual([ids[3]]);
      // their first health check runs on its own (the panels do not exist): each answer holds only the health asked
      for (const health of ['unknown', 'unhealthy']) {
        const { body } = await list(`search=${tag}&health=${health}&limit=10`);
        for (const node of body.items) expect([ids.includes(node.id), node.healthStatus]).toEqual([true, health]);
      }
      expect((await list(`search=${tag}&health=healthy`)).body.items).toEqual([]);
      expect(idsOf(await list('search=100%25'))).toEqual([]); // % is a character, not a wildcard
      const [one] = (await list(`search=paged-0-${tag}`)).body.items;
      expect(one).toEqual((await t.http().get(`/api/v1/nodes/${ids[0]}`).set(auth).expect(200)).body);
      for (const [query, field] of [
        ['status=gone', 'status'],
        ['health=ok', 'health'],
        ['limit=0', 'limit'],
        ['limit=501', 'limit'],
        ['page=0', 'page'],
        ['page=1.5', 'page'],
        [`location=${'x'.repeat(65)}`, 'location'],
        ['search=%00', 'search'],
      ]) {
        const bad = await t.http().get(`/api/v1/nodes?${query}`).set(auth).expect(400);
        expect(bad.body.message.join(' ')).toContain(field);
      }
      await t.http().get('/api/v1/nodes?limit=1').expect(401);
    });

    it('stores panel secrets encrypted, never in plain text', async () => {
      const body = nodeBody({ panelPassword: 'plain-text-canary-1', panelApiToken: 'plain-text-canary-2' });
      const { body: node } = await t.http().post('/api/v1/nodes').set(auth).send(body).expect(201);
      const [row] = await t.dataSource.query('SELECT * FROM nodes WHERE id = $1', [node.id]);
      const dump = JSON.stringify(await t.dataSource.query('SELECT * FROM nodes'));
      expect(dump).not.toContain('plain-text-canary');
      expect(row.panel_password).toMatch(/^v1\./);
      expect(t.secretBox.decrypt(row.panel_password)).toBe('plain-text-canary-1');
      expect(t.secretBox.decrypt(row.panel_api_token)).toBe('plain-text-canary-2');
      const events = JSON.stringify(await t.dataSource.query('SELECT * FROM events'));
      expect(events).not.toContain('plain-text-canary');
    });

    it('keeps the base path of the panel URL and accepts IP public hosts', async () => {
      const body = nodeBody({ panelUrl: 'http://10.0.0.5:54321/xui-base', publicHost: '203.0.113.7' });
      const { body: node } = await t.http().post('/api/v1/nodes').set(auth).send(body).expect(201);
      expect(node.panelUrl).toBe('http://10.0.0.5:54321/xui-base');
      expect(node.publicHost).toBe('203.0.113.7');
    });

    it('answers 404 for an unknown node and 400 for a non-numeric id', async () => {
      const missing = await t.http().get('/api/v1/nodes/999999').set(auth).expect(404);
      expect(missing.body).toMatchObject({ statusCode: 404, code: 'NODE_NOT_FOUND' });
      const bad = await t.http().get('/api/v1/nodes/abc').set(auth).expect(400);
      expect(bad.body.statusCode).toBe(400);
    });
  });

  describe('validation: 400 naming the field, nothing written', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['missing name', { name: undefined }, 'name'],
      ['empty name', { name: '' }, 'name'],
      ['blank name', { name: '   ' }, 'name'],
      ['name too long', { name: 'x'.repeat(65) }, 'name'],
      ['name not a string', { name: 42 }, 'name'],
      ['missing panelUrl', { panelUrl: undefined }, 'panelUrl'],
      ['panelUrl not a URL', { panelUrl: 'not a url' }, 'panelUrl'],
      ['panelUrl ftp', { panelUrl: 'ftp://panel.example.com/' }, 'panelUrl'],
      ['panelUrl without scheme', { panelUrl: 'panel.example.com:2053' }, 'panelUrl'],
      ['missing panelUsername', { panelUsername: undefined }, 'panelUsername'],
      ['missing panelPassword', { panelPassword: undefined }, 'panelPassword'],
      ['empty panelPassword', { panelPassword: '' }, 'panelPassword'],
      ['maxUsers zero', { maxUsers: 0 }, 'maxUsers'],
      ['maxUsers too large', { maxUsers: 1_000_001 }, 'maxUsers'],
      ['maxUsers fractional', { maxUsers: 10.5 }, 'maxUsers'],
      ['maxUsers string', { maxUsers: '100' }, 'maxUsers'],
      ['maxUsers null', { maxUsers: null }, 'maxUsers'],
      ['priority negative', { priority: -1 }, 'priority'],
      ['priority too large', { priority: 1001 }, 'priority'],
      ['priority fractional', { priority: 1.5 }, 'priority'],
      ['weight zero', { weight: 0 }, 'weight'],
      ['weight negative', { weight: -0.5 }, 'weight'],
      ['weight too large', { weight: 100.01 }, 'weight'],
      ['weight string', { weight: 'heavy' }, 'weight'],
      ['status unknown', { status: 'broken' }, 'status'],
      ['inboundId zero', { inboundId: 0 }, 'inboundId'],
      ['inboundId fractional', { inboundId: 1.2 }, 'inboundId'],
      ['publicHost with scheme', { publicHost: 'https://vpn.example.com' }, 'publicHost'],
      ['publicHost with spaces', { publicHost: 'vpn example com' }, 'publicHost'],
      ['location too long', { location: 'x'.repeat(65) }, 'location'],
      ['tlsVerify not boolean', { tlsVerify: 'yes' }, 'tlsVerify'],
      ['unknown field', { healthStatus: 'healthy' }, 'healthStatus'],
      ['unknown field currentUsers', { currentUsers: 5 }, 'currentUsers'],
    ];

    it.each(cases)('rejects %s', async (_, overrides, field) => {
      const before = await countNodes();
      const body = nodeBody(overrides);
      for (const key of Object.keys(overrides)) if (overrides[key] === undefined) delete body[key];
      const response = await t.http().post('/api/v1/nodes').set(auth).send(body).expect(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'VALIDATION_FAILED' });
      expect(Array.isArray(response.body.message)).toBe(true);
      expect(response.body.message.join(' ')).toContain(field);
      expect(JSON.stringify(response.body)).not.toMatch(/at .*\.ts:\d+/);
      expect(await countNodes()).toBe(before);
    });

    it('reports every violation at once', async () => {
      const response = await t
        .http()
        .post('/api/v1/nodes')
        .set(auth)
        .send(nodeBody({ maxUsers: -1, weight: 0, priority: 5000 }))
        .expect(400);
      const text = response.body.message.join('\n');
      expect(text).toContain('maxUsers');
      expect(text).toContain('weight');
      expect(text).toContain('priority');
    });

    it('answers malformed JSON with 400 and no internals', async () => {
      const response = await t
        .http()
        .post('/api/v1/nodes')
        .set(auth)
        .set('Content-Type', 'application/json')
        .send('{"name": "broken"')
        .expect(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(JSON.stringify(response.body)).not.toMatch(/node_modules|\.js:\d+/);
    });

    it('answers an oversized body with 413', async () => {
      const response = await t
        .http()
        .post('/api/v1/nodes')
        .set(auth)
        .send(nodeBody({ description: 'x'.repeat(2_000_000) }))
        .expect(413);
      expect(response.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
    });

    it('rejects invalid PATCH bodies without changing the node', async () => {
      const { body: node } = await t.http().post('/api/v1/nodes').set(auth).send(nodeBody()).expect(201);
      for (const bad of [
        { name: null },
        { maxUsers: 0 },
        { weight: 101 },
        { panelPassword: '' },
        { status: 'x' },
        { id: 5 },
      ]) {
        await t.http().patch(`/api/v1/nodes/${node.id}`).set(auth).send(bad).expect(400);
      }
      const after = await t.http().get(`/api/v1/nodes/${node.id}`).set(auth).expect(200);
      // The health check that follows a create may land meanwhile; it does not touch the edited fields.
      const edited = ({
        healthStatus,
        lastError,
        lastHealthCheck,
        responseTimeMs,
        eligible,
        ineligibleReason,
        ...rest
      }: Record<string, unknown>) => rest;
      expect(edited(after.body)).toEqual(edited(node));
    });
  });

  describe('names are unique', () => {
    it('answers 409 for a duplicate name, case-insensitively', async () => {
      await t
        .http()
        .post('/api/v1/nodes')
        .set(auth)
        .send(nodeBody({ name: 'Unique-One' }))
        .expect(201);
      const before = await countNodes();
      const response = await t
        .http()
        .post('/api/v1/nodes')
        .set(auth)
        .send(nodeBody({ name: 'unique-one' }))
        .expect(409);
      expect(response.body).toMatchObject({ statusCode: 409, code: 'NODE_NAME_TAKEN' });
      expect(await countNodes()).toBe(before);
    });

    it('lets exactly one of many simultaneous creates with one name win', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          t
            .http()
            .post('/api/v1/nodes')
            .set(auth)
            .send(nodeBody({ name: 'race-name' })),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    });

    it('answers 409 when renaming onto an existing name', async () => {
      await t
        .http()
        .post('/api/v1/nodes')
        .set(auth)
        .send(nodeBody({ name: 'taken-name' }))
        .expect(201);
      const { body: other } = await t.http().post('/api/v1/nodes').set(auth).send(nodeBody()).expect(201);
      await t.http().patch(`/api/v1/nodes/${other.id}`).set(auth).send({ name: 'TAKEN-name' }).expect(409);
    });
  });

  describe('update', () => {
    it('changes only the given fields and keeps stored secrets when they are omitted', async () => {
      const { body: node } = await t
        .http()
        .post('/api/v1/nodes')
        .set(auth)
        .send(nodeBody({ panelPassword: 'keep-me-secret', panelApiToken: 'keep-token' }))
        .expect(201);
      const { body: updated } = await t
        .http()
        .patch(`/api/v1/nodes/${node.id}`)
        .set(auth)
        .send({ maxUsers: 50, weight: 2.5, status: 'maintenance', description: 'rack 4' })
        .expect(200);
      expect(updated).toMatchObject({ maxUsers: 50, weight: 2.5, status: 'maintenance', description: 'rack 4' });
      expect(updated.name).toBe(node.name);
      const [row] = await t.dataSource.query('SELECT panel_password, panel_api_token FROM nodes WHERE id = $1', [
        node.id,
      ]);
      expect(t.secretBox.decrypt(row.panel_password)).toBe('keep-me-secret');
      expect(t.secretBox.decrypt(row.panel_api_token)).toBe('keep-token');
    });

    it('replaces the password when given and clears the API token with null', async () => {
      const { body: node } = await t
        .http()
        .post('/api/v1/nodes')
        .set(auth)
        .send(nodeBody({ panelApiToken: 'old-token' }))
        .expect(201);
      const { body: updated } = await t
        .http()
        .patch(`/api/v1/nodes/${node.id}`)
        .set(auth)
        .send({ panelPassword: 'new-password', panelApiToken: null, location: null })
        .expect(200);
      expect(updated).toMatchObject({ hasPanelApiToken: false, location: null });
      const [row] = await t.dataSource.query('SELECT panel_password, panel_api_token FROM nodes WHERE id = $1', [
        node.id,
      ]);
      expect(t.secretBox.decrypt(row.panel_password)).toBe('new-password');
      expect(row.panel_api_token).toBeNull();
      const [event] = await t.dataSource.query(
        `SELECT payload FROM events WHERE node_id = $1 AND type = 'node.updated' ORDER BY id DESC LIMIT 1`,
        [node.id],
      );
      expect(event.payload.changed).toEqual(expect.arrayContaining(['panelPassword', 'panelApiToken', 'location']));
      expect(JSON.stringify(event)).not.toContain('new-password');
    });

    it('answers 404 when the node does not exist', async () => {
      await t.http().patch('/api/v1/nodes/987654').set(auth).send({ maxUsers: 5 }).expect(404);
    });
  });

  describe('delete', () => {
    it('deletes an empty node and records who did it', async () => {
      const { body: node } = await t.http().post('/api/v1/nodes').set(auth).send(nodeBody()).expect(201);
      await t.http().delete(`/api/v1/nodes/${node.id}`).set(auth).expect(204);
      await t.http().get(`/api/v1/nodes/${node.id}`).set(auth).expect(404);
      await t.http().delete(`/api/v1/nodes/${node.id}`).set(auth).expect(404);
      const [event] = await t.dataSource.query(
        `SELECT actor, payload FROM events WHERE type = 'node.deleted' AND payload->>'nodeId' = $1`,
        [String(node.id)],
      );
      expect(event.actor).toBe('admin:root-admin');
    });

    it('refuses with 409 and deletes nothing while the node still has active users', async () => {
      const { body: node } = await t.http().post('/api/v1/nodes').set(auth).send(nodeBody()).expect(201);
      const [user] = await t.dataSource.query(
        `INSERT INTO vpn_users (telegram_id, uuid, subscription_token) VALUES (777, gen_random_uuid(), 'tok-777') RETURNING id`,
      );
      await t.dataSource.query(
        `INSERT INTO assignments (user_id, node_id, group_id, inbound_id, client_email)
         VALUES ($1, $2, first_node_group(), 1, 'u777@n')`,
        [user.id, node.id],
      );
      const response = await t.http().delete(`/api/v1/nodes/${node.id}`).set(auth).expect(409);
      expect(response.body.code).toBe('NODE_HAS_USERS');
      await t.http().get(`/api/v1/nodes/${node.id}`).set(auth).expect(200);
    });
  });

  describe('events', () => {
    it('records create, update and delete with the acting admin and lists them', async () => {
      const { body: node } = await t.http().post('/api/v1/nodes').set(auth).send(nodeBody()).expect(201);
      await t.http().patch(`/api/v1/nodes/${node.id}`).set(auth).send({ priority: 7 }).expect(200);
      const { body: page } = await t.http().get(`/api/v1/events?nodeId=${node.id}`).set(auth).expect(200);
      expect(page.items.map((e: { type: string }) => e.type)).toEqual(['node.updated', 'node.created']);
      expect(page.items.every((e: { actor: string }) => e.actor === 'admin:root-admin')).toBe(true);
      const { body: filtered } = await t.http().get('/api/v1/events?type=node.created&limit=1').set(auth).expect(200);
      expect(filtered.items).toHaveLength(1);
      expect(filtered.total).toBeGreaterThan(1);
      await t.http().get('/api/v1/events?limit=0').set(auth).expect(400);
      await t.http().get('/api/v1/events?type=DROP%20TABLE').set(auth).expect(400);
    });
  });
});
