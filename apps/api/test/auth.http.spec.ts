import { createHash } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { ADMIN, nodeBody, startTestApp, TestApp } from './support/test-app';

type Role = 'admin' | 'bot' | 'viewer';

describe('auth (real HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let nodeId: number;

  beforeAll(async () => {
    t = await startTestApp({ env: { LOGIN_MAX_FAILURES: '3', LOGIN_WINDOW_SECONDS: '60' } });
    const { body } = await t
      .http()
      .post('/api/v1/nodes')
      .set('Authorization', `Bearer ${await t.adminToken()}`)
      .send(nodeBody())
      .expect(201);
    nodeId = body.id;
  });
  afterAll(() => t.close());

  describe('login', () => {
    it('issues a JWT for the bootstrapped admin', async () => {
      const { body } = await t.http().post('/api/v1/auth/login').send(ADMIN).expect(200);
      expect(body).toEqual({ accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/), expiresIn: 3600 });
      await t.http().get('/api/v1/nodes').set('Authorization', `Bearer ${body.accessToken}`).expect(200);
    });

    it('stores the admin password as a bcrypt hash', async () => {
      const [row] = await t.dataSource.query('SELECT password_hash FROM admins WHERE username = $1', [ADMIN.username]);
      expect(row.password_hash).toMatch(/^\$2[aby]\$12\$/);
      expect(row.password_hash).not.toContain(ADMIN.password);
    });

    it('answers 401 for a wrong password and for an unknown user, and records the failure', async () => {
      const wrong = await t
        .http()
        .post('/api/v1/auth/login')
        .send({ username: ADMIN.username, password: 'nope-nope' })
        .expect(401);
      expect(wrong.body).toMatchObject({ statusCode: 401, code: 'INVALID_CREDENTIALS' });
      await t.http().post('/api/v1/auth/login').send({ username: 'ghost', password: 'whatever1' }).expect(401);
      const rows = await t.dataSource.query(`SELECT payload FROM events WHERE type = 'auth.login_failed'`);
      expect(rows.map((r: { payload: { username: string } }) => r.payload.username)).toEqual(
        expect.arrayContaining([ADMIN.username, 'ghost']),
      );
      expect(JSON.stringify(rows)).not.toContain('nope-nope');
    });

    it('answers 400 for a malformed login body', async () => {
      await t.http().post('/api/v1/auth/login').send({ username: ADMIN.username }).expect(400);
      await t.http().post('/api/v1/auth/login').send({ username: 5, password: 'x' }).expect(400);
      await t
        .http()
        .post('/api/v1/auth/login')
        .send({ ...ADMIN, extra: 1 })
        .expect(400);
    });

    it('rate-limits repeated failures with 429, even for the right password', async () => {
      const attempt = (password: string) => t.http().post('/api/v1/auth/login').send({ username: 'limited', password });
      await t.dataSource.query(
        `INSERT INTO admins (username, password_hash) SELECT 'limited', password_hash FROM admins WHERE username = $1`,
        [ADMIN.username],
      );
      for (let i = 0; i < 3; i++) expect((await attempt('wrong-password')).status).toBe(401);
      const blocked = await attempt('wrong-password');
      expect(blocked.status).toBe(429);
      expect(blocked.body.code).toBe('TOO_MANY_LOGIN_ATTEMPTS');
      expect((await attempt(ADMIN.password)).status).toBe(429);
      // Another username from the same address is not locked out.
      await t.http().post('/api/v1/auth/login').send(ADMIN).expect(200);
    });
  });

  describe('credentials on protected routes', () => {
    it('answers 401 without a token, with a malformed header and with a bad token', async () => {
      for (const header of [
        undefined,
        'Basic abc',
        'Bearer',
        'Bearer not-a-jwt',
        'Bearer fleet_unknown',
        'Bearer a.b.c',
      ]) {
        const call = t.http().get('/api/v1/nodes');
        if (header) call.set('Authorization', header);
        const response = await call.expect(401);
        expect(response.body).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED' });
      }
    });

    it('answers 401 for an expired JWT and for one signed with another key', async () => {
      const expired = await new JwtService({ secret: t.secretBox.jwtSigningKey }).signAsync(
        { sub: 1, username: ADMIN.username, role: 'admin' },
        { expiresIn: -10 },
      );
      await t.http().get('/api/v1/nodes').set('Authorization', `Bearer ${expired}`).expect(401);
      const forged = await new JwtService({ secret: 'another-key' }).signAsync({
        sub: 1,
        username: 'x',
        role: 'admin',
      });
      await t.http().get('/api/v1/nodes').set('Authorization', `Bearer ${forged}`).expect(401);
    });

    it('leaves the health probes open', async () => {
      await t.http().get('/healthz').expect(200, { status: 'ok' });
      await t.http().get('/readyz').expect(200, { status: 'ready' });
    });
  });

  describe('role matrix on every node, event and token route', () => {
    const routes: Array<{
      label: string;
      method: 'get' | 'post' | 'patch' | 'delete';
      path: () => string;
      body?: () => object;
      allowed: Role[];
    }> = [
      { label: 'GET /api/v1/nodes', method: 'get', path: () => '/api/v1/nodes', allowed: ['admin', 'viewer'] },
      {
        label: 'GET /api/v1/nodes/:id',
        method: 'get',
        path: () => `/api/v1/nodes/${nodeId}`,
        allowed: ['admin', 'viewer'],
      },
      {
        label: 'POST /api/v1/nodes',
        method: 'post',
        path: () => '/api/v1/nodes',
        body: () => nodeBody(),
        allowed: ['admin'],
      },
      {
        label: 'PATCH /api/v1/nodes/:id',
        method: 'patch',
        path: () => `/api/v1/nodes/${nodeId}`,
        body: () => ({ priority: 101 }),
        allowed: ['admin'],
      },
      {
        label: 'DELETE /api/v1/nodes/999999',
        method: 'delete',
        path: () => '/api/v1/nodes/999999',
        allowed: ['admin'],
      },
      { label: 'GET /api/v1/events', method: 'get', path: () => '/api/v1/events', allowed: ['admin', 'viewer'] },
      { label: 'GET /api/v1/tokens', method: 'get', path: () => '/api/v1/tokens', allowed: ['admin'] },
      {
        label: 'POST /api/v1/tokens',
        method: 'post',
        path: () => '/api/v1/tokens',
        body: () => ({ name: 'matrix', role: 'viewer' }),
        allowed: ['admin'],
      },
      {
        label: 'DELETE /api/v1/tokens/999999',
        method: 'delete',
        path: () => '/api/v1/tokens/999999',
        allowed: ['admin'],
      },
    ];
    const roles: Role[] = ['admin', 'viewer', 'bot'];

    for (const route of routes) {
      for (const role of roles) {
        const allowed = route.allowed.includes(role);
        it(`${route.label} as ${role}: ${allowed ? 'allowed' : '403'}`, async () => {
          const call = t
            .http()
            [route.method](route.path())
            .set('Authorization', `Bearer ${await t.tokenFor(role)}`);
          const response = await (route.body ? call.send(route.body()) : call);
          if (allowed) {
            expect([200, 201, 204, 404]).toContain(response.status);
          } else {
            expect(response.status).toBe(403);
            expect(response.body.code).toBe('FORBIDDEN');
          }
        });
      }
      it(`${route.label} without credentials: 401`, async () => {
        const call = t.http()[route.method](route.path());
        await (route.body ? call.send(route.body()) : call).expect(401);
      });
    }
  });

  describe('API tokens', () => {
    it('shows the token once, stores only its hash and lists it without the secret', async () => {
      const auth = { Authorization: `Bearer ${await t.adminToken()}` };
      const { body: created } = await t
        .http()
        .post('/api/v1/tokens')
        .set(auth)
        .send({ name: 'bot-1', role: 'bot' })
        .expect(201);
      expect(created).toMatchObject({ name: 'bot-1', role: 'bot', createdBy: 'admin:root-admin', lastUsedAt: null });
      expect(created.token).toMatch(/^fleet_[\w-]{43}$/);
      expect(created.token.startsWith(created.prefix)).toBe(true);

      const [row] = await t.dataSource.query('SELECT token_hash FROM api_tokens WHERE id = $1', [created.id]);
      expect(row.token_hash).toBe(createHash('sha256').update(created.token).digest('hex'));
      expect(JSON.stringify(await t.dataSource.query('SELECT * FROM api_tokens'))).not.toContain(created.token);

      const { body: list } = await t.http().get('/api/v1/tokens').set(auth).expect(200);
      expect(JSON.stringify(list)).not.toContain(created.token);
      expect(list.find((token: { id: number }) => token.id === created.id)).toMatchObject({
        name: 'bot-1',
        prefix: created.prefix,
      });
    });

    it('stops accepting a token once it is deleted', async () => {
      const auth = { Authorization: `Bearer ${await t.adminToken()}` };
      const { body: created } = await t
        .http()
        .post('/api/v1/tokens')
        .set(auth)
        .send({ name: 'short-lived', role: 'viewer' })
        .expect(201);
      await t.http().get('/api/v1/nodes').set('Authorization', `Bearer ${created.token}`).expect(200);
      await t.http().delete(`/api/v1/tokens/${created.id}`).set(auth).expect(204);
      await t.http().get('/api/v1/nodes').set('Authorization', `Bearer ${created.token}`).expect(401);
      await t.http().delete(`/api/v1/tokens/${created.id}`).set(auth).expect(404);
    });

    it('validates token requests', async () => {
      const auth = { Authorization: `Bearer ${await t.adminToken()}` };
      for (const body of [
        { name: 'x', role: 'root' },
        { role: 'bot' },
        { name: '  ', role: 'bot' },
        { name: 'x'.repeat(65), role: 'bot' },
        { name: 'x', role: 'bot', extra: true },
      ]) {
        const response = await t.http().post('/api/v1/tokens').set(auth).send(body).expect(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
      }
      await t.http().delete('/api/v1/tokens/abc').set(auth).expect(400);
    });

    it('lets an admin API token do admin work, recorded under its name', async () => {
      const { body: created } = await t
        .http()
        .post('/api/v1/tokens')
        .set('Authorization', `Bearer ${await t.adminToken()}`)
        .send({ name: 'ops-admin', role: 'admin' })
        .expect(201);
      const { body: node } = await t
        .http()
        .post('/api/v1/nodes')
        .set('Authorization', `Bearer ${created.token}`)
        .send(nodeBody())
        .expect(201);
      const [event] = await t.dataSource.query(
        `SELECT actor FROM events WHERE node_id = $1 AND type = 'node.created'`,
        [node.id],
      );
      expect(event.actor).toBe('token:ops-admin');
    });
  });
});
