import { JwtService } from '@nestjs/jwt';
import { ADMIN, startTestApp, TestApp } from './support/test-app';

/**
 * Inputs sent to hurt rather than to use the API: bodies much larger than what a route takes, bodies of another type
 * than JSON, cursors past every range, tokens without an expiry. Each is refused early, with one clear message.
 */
describe('hostile input (real HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let admin: { Authorization: string };
  let bot: { Authorization: string };

  beforeAll(async () => {
    t = await startTestApp({ env: { TRUST_PROXY: 'loopback', LOGIN_CONCURRENCY: '64' } });
    admin = { Authorization: `Bearer ${await t.adminToken()}` };
    bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
  });
  afterAll(() => t.close());

  const loginFailures = async () =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM events WHERE type = 'auth.login_failed'`))[0].n;
  const raw = (method: 'post' | 'patch' | 'put', path: string, contentType: string | null, body: string) => {
    const call = t.http()[method](path);
    if (contentType) call.set('Content-Type', contentType);
    return call.send(body);
  };

  /** What a route cannot take, in the three shapes validation used to spend its time on. */
  const shapes = (field: string, elements: number, keys: number) => ({
    [`a ${elements}-element array`]: JSON.stringify(Array.from({ length: elements }, () => 0)),
    [`an object with ${keys} keys`]: JSON.stringify(
      Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, 0])),
    ),
    [`a field holding a ${elements}-element array`]: JSON.stringify({
      [field]: Array.from({ length: elements }, () => 0),
    }),
  });
  /** ~98 kB each, as in the report that found the stall. */
  const huge = (field: string) => shapes(field, 49_000, 10_000);

  describe('bodies that cannot be what the route takes', () => {
    it.each(Object.entries(huge('username')))('login refuses %s (98 kB) unread: 413', async (_label, body) => {
      const response = await raw('post', '/api/v1/auth/login', 'application/json', body).expect(413);
      expect(response.body).toMatchObject({
        code: 'PAYLOAD_TOO_LARGE',
        message: [expect.stringContaining('too large')],
      });
      expect(response.headers['connection']).toBe('close');
    });

    it.each(Object.entries(shapes('username', 3_000, 700)))(
      'login answers %s (within 8 kB) with 400 and one message',
      async (_label, body) => {
        const before = await loginFailures();
        const response = await raw('post', '/api/v1/auth/login', 'application/json', body).expect(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
        expect(response.body.message).toHaveLength(1);
        expect(response.text.length).toBeLessThan(500);
        expect(await loginFailures()).toBe(before);
      },
    );

    it.each(Object.entries(huge('note')))('a token holder sending %s (98 kB) gets 413', async (_label, body) => {
      await raw('patch', '/api/v1/keys/1/access', 'application/json', body).set(bot).expect(413);
    });

    it.each(Object.entries(shapes('note', 15_000, 3_000)))(
      'a token holder sending %s (within 64 kB) gets 400 and one message',
      async (_label, body) => {
        const response = await raw('patch', '/api/v1/keys/1/access', 'application/json', body).set(bot).expect(400);
        expect(response.body.message).toHaveLength(1);
        expect(response.text.length).toBeLessThan(500);
      },
    );

    it('names the field and the reason', async () => {
      const bodies: Array<[string, string]> = [
        ['[{}]', 'request body must be a JSON object'],
        ['[]', 'request body must be a JSON object'],
        [JSON.stringify({ a: 1, b: 2, c: 3 }), 'request body has 3 fields; this route takes at most 2'],
        [JSON.stringify({ username: ['root-admin'], password: 'x' }), 'username must be a single value, not a list'],
      ];
      for (const [body, message] of bodies) {
        const response = await raw('post', '/api/v1/auth/login', 'application/json', body).expect(400);
        expect(response.body.message).toEqual([expect.stringContaining(message)]);
      }
    });

    it('lists at most a few messages, one per field, and names the fields past them', async () => {
      const response = await t
        .http()
        .patch('/api/v1/keys/1/access')
        .set(bot)
        .send({
          expiresAt: 'soon',
          holdDays: 0,
          trafficLimitBytes: -1,
          trafficReset: 'yearly',
          deviceLimit: 1000,
          enabled: 'yes',
          note: 5,
        })
        .expect(400);
      expect(response.body.message).toHaveLength(6);
      expect(response.body.message[4]).toContain('deviceLimit');
      expect(response.body.message[5]).toBe('… and 2 more fields at fault: enabled, note');
    });

    it('asks who is calling before it reads the shape; a body too large is refused before anything', async () => {
      const shaped = shapes('note', 15_000, 3_000)['a 15000-element array'];
      await raw('patch', '/api/v1/keys/1/access', 'application/json', shaped).expect(401);
      const viewer = { Authorization: `Bearer ${await t.tokenFor('viewer')}` };
      await raw('patch', '/api/v1/keys/1/access', 'application/json', shaped).set(viewer).expect(403);
      await raw('patch', '/api/v1/keys/1/access', 'application/json', huge('note')['a 49000-element array']).expect(
        413,
      );
    });
  });

  describe('bodies that are not JSON', () => {
    const KINDS: Array<[string, string | null, string]> = [
      ['a form', 'application/x-www-form-urlencoded', `username=${ADMIN.username}&password=wrong-password`],
      ['text/plain', 'text/plain', JSON.stringify({ username: ADMIN.username, password: 'wrong-password' })],
      ['XML', 'application/xml', '<login><username>root-admin</username></login>'],
      ['no content type', null, JSON.stringify({ username: ADMIN.username, password: 'wrong-password' })],
    ];

    it.each(KINDS)('login refuses %s with 415 and records no failure', async (_label, type, body) => {
      const before = await loginFailures();
      const response = await raw('post', '/api/v1/auth/login', type, body).set('X-Forwarded-For', '10.9.0.1');
      expect(response.status).toBe(415);
      expect(response.body).toMatchObject({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
      expect(response.body.message.join(' ')).toContain('application/json');
      expect(await loginFailures()).toBe(before);
    });

    it('every route that takes a body refuses them, with or without credentials', async () => {
      const { body: document } = await t.http().get('/api/docs-json').expect(200);
      const routes = Object.entries<Record<string, { requestBody?: unknown }>>(document.paths).flatMap(
        ([path, methods]) =>
          Object.entries(methods)
            .filter(([, operation]) => operation.requestBody)
            .map(([method]) => ({ method: method as 'post' | 'put' | 'patch', path: path.replace(/\{\w+\}/g, '1') })),
      );
      expect(routes.length).toBeGreaterThanOrEqual(12);
      const problems: string[] = [];
      for (const { method, path } of routes) {
        for (const [label, type, body] of KINDS) {
          for (const credentials of [admin, bot, {}]) {
            const response = await raw(method, path, type, body).set(credentials);
            if (response.status !== 415) problems.push(`${method} ${path} with ${label}: ${response.status}`);
          }
        }
      }
      expect(problems).toEqual([]);
    });

    it('still reads a request without a body as {}, and JSON with a charset', async () => {
      await t.http().post('/api/v1/nodes/check-health').set(admin).expect(200);
      // Every field optional: no body is no field (no node to place on, no node 1).
      expect((await t.http().put('/api/v1/keys/5').set(bot)).body.code).toBe('NO_CAPACITY');
      expect((await t.http().post('/api/v1/nodes/1/reconcile').set(admin)).body.code).toBe('NODE_NOT_FOUND');
      // A required field is then missing, and said so.
      const rebalance = await t.http().post('/api/v1/balancer/rebalance').set(admin).expect(400);
      expect(rebalance.body.message).toEqual([expect.stringContaining('dryRun')]);
      const login = await raw('post', '/api/v1/auth/login', 'application/json; charset=utf-8', JSON.stringify(ADMIN));
      expect(login.status).toBe(200);
    });
  });

  describe('cursors', () => {
    it('answers 400 naming `after` for a cursor out of range, and pages with a real one', async () => {
      for (const after of [
        '1.9999999999999999999', // the id overflows bigint
        '1.9223372036854775808',
        '9999999999999999999.1', // the time overflows
        '253402300800000000.1', // past 9999-12-31
        '-1.1',
        '1.-1',
        '1e3.1',
        '1.1.1',
        '.1',
        '1.',
      ]) {
        const response = await t.http().get(`/api/v1/events?after=${after}`).set(admin);
        expect({ after, status: response.status }).toEqual({ after, status: 400 });
        expect(response.body.message).toEqual(['after must be a nextCursor from an earlier page']);
      }
      await t.http().get('/api/v1/events?after=253402300799999999.9223372036854775807').set(admin).expect(200);
      const first = (await t.http().get('/api/v1/events?limit=1').set(admin).expect(200)).body;
      expect(first.nextCursor).toMatch(/^\d+\.\d+$/);
      await t.http().get(`/api/v1/events?after=${first.nextCursor}`).set(admin).expect(200);
    });

    it('checks every id cursor against its column', async () => {
      for (const path of ['/api/v1/users', '/api/v1/jobs', '/api/v1/nodes/1/users']) {
        for (const after of ['2147483648', '9'.repeat(20), '1.5', '-1', '0', '0x10']) {
          const response = await t.http().get(`${path}?after=${after}`).set(admin);
          expect({ path, after, status: response.status }).toEqual({ path, after, status: 400 });
          expect(JSON.stringify(response.body.message)).toContain('after');
        }
      }
      await t.http().get('/api/v1/users?after=2147483647').set(admin).expect(200);
      await t.http().get('/api/v1/jobs?after=2147483647').set(admin).expect(200);
    });

    it('asks for credentials first', async () => {
      await t.http().get('/api/v1/events?after=1.9999999999999999999').expect(401);
      await t.http().get('/api/v1/users?after=2147483648').set(bot).expect(403);
    });
  });

  describe('caching and tokens', () => {
    it('marks every API answer no-store, the one carrying a new token among them', async () => {
      const created = await t.http().post('/api/v1/tokens').set(admin).send({ name: 'cache', role: 'viewer' });
      expect(created.status).toBe(201);
      expect(created.headers['cache-control']).toBe('no-store');
      const login = await t.http().post('/api/v1/auth/login').send(ADMIN).expect(200);
      expect(login.headers['cache-control']).toBe('no-store');
      for (const path of ['/api/v1/nodes', '/api/v1/stats/overview', '/api/v1/events']) {
        expect((await t.http().get(path).set(admin).expect(200)).headers['cache-control']).toBe('no-store');
      }
      expect((await t.http().get('/api/v1/nodes').expect(401)).headers['cache-control']).toBe('no-store');
      expect((await t.http().get('/api/v1/nodes/999').set(admin).expect(404)).headers['cache-control']).toBe(
        'no-store',
      );
    });

    it('keeps conditional polls working: an unchanged answer is 304', async () => {
      const first = await t.http().get('/api/v1/stats/overview').set(admin).expect(200);
      expect(first.headers['etag']).toBeDefined();
      await t.http().get('/api/v1/stats/overview').set(admin).set('If-None-Match', first.headers['etag']).expect(304);
    });

    it('refuses a correctly signed JWT without an expiry', async () => {
      const signer = new JwtService({ secret: t.secretBox.jwtSigningKey });
      const [{ id, token_version: ver }] = await t.dataSource.query(
        'SELECT id, token_version FROM admins WHERE username = $1',
        [ADMIN.username],
      );
      const forever = await signer.signAsync({ sub: id, username: ADMIN.username, role: 'admin', ver });
      const response = await t.http().get('/api/v1/nodes').set('Authorization', `Bearer ${forever}`).expect(401);
      expect(response.body).toMatchObject({ code: 'UNAUTHENTICATED', message: [expect.stringContaining('expiry')] });
      const expiring = await signer.signAsync(
        { sub: id, username: ADMIN.username, role: 'admin', ver },
        { expiresIn: 60 },
      );
      await t.http().get('/api/v1/nodes').set('Authorization', `Bearer ${expiring}`).expect(200);
    });
  });
});
