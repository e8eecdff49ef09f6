import * as argon2 from 'argon2';
import * as bcrypt from 'bcrypt';
import { createHash } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { ADMIN, nodeBody, startTestApp, TestApp } from './support/test-app';

type Role = 'owner' | 'bot' | 'viewer';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('auth (real HTTP, real PostgreSQL)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Requests come from loopback; X-Forwarded-For set by a test plays the client address behind a trusted proxy.
    t = await startTestApp({
      env: { LOGIN_MAX_FAILURES: '3', LOGIN_WINDOW_SECONDS: '60', LOGIN_CONCURRENCY: '64', TRUST_PROXY: 'loopback' },
    });
  });
  afterAll(() => t.close());

  const login = (body: object, address: string) =>
    t.http().post('/api/v1/auth/login').set('X-Forwarded-For', address).send(body);
  const failureCount = async () =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM events WHERE type = 'auth.login_failed'`))[0].n as number;
  const apiToken = async (role: Role) =>
    (
      await t
        .http()
        .post('/api/v1/tokens')
        .set('Authorization', `Bearer ${await t.adminToken()}`)
        .send({ name: `${role}-${Date.now()}`, role })
        .expect(201)
    ).body.token as string;

  describe('login', () => {
    it('issues a JWT for the bootstrapped admin', async () => {
      const { body } = await t.http().post('/api/v1/auth/login').send(ADMIN).expect(200);
      expect(body).toEqual({ accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/), expiresIn: 3600 });
      await t.http().get('/api/v1/nodes').set('Authorization', `Bearer ${body.accessToken}`).expect(200);
    });

    it('stores the admin password as an argon2id hash', async () => {
      const [row] = await t.dataSource.query('SELECT password_hash FROM admins WHERE username = $1', [ADMIN.username]);
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
      expect(row.password_hash).not.toContain(ADMIN.password);
    });

    it('answers 401 for a wrong password and for an unknown user, and records the failure', async () => {
      const wrong = await login({ username: ADMIN.username, password: 'nope-nope' }, '10.1.0.1').expect(401);
      expect(wrong.body).toMatchObject({ statusCode: 401, code: 'INVALID_CREDENTIALS' });
      await login({ username: 'ghost', password: 'whatever1' }, '10.1.0.1').expect(401);
      const rows = await t.dataSource.query(`SELECT payload FROM events WHERE type = 'auth.login_failed'`);
      expect(rows.map((r: { payload: { username: string } }) => r.payload.username)).toEqual(
        expect.arrayContaining([ADMIN.username, 'ghost']),
      );
      expect(JSON.stringify(rows)).not.toContain('nope-nope');
    });

    it('answers 400 for a malformed login body', async () => {
      await login({ username: ADMIN.username }, '10.1.0.2').expect(400);
      await login({ username: 5, password: 'x' }, '10.1.0.2').expect(400);
      await login({ ...ADMIN, extra: 1 }, '10.1.0.2').expect(400);
      await login({ username: 'a\u0000b', password: 'x' }, '10.1.0.2').expect(400);
    });

    it('keeps verifying a bcrypt hash from an earlier version and replaces it with argon2id after a good login', async () => {
      await t.dataSource.query(`INSERT INTO admins (username, password_hash, role) VALUES ('legacy', $1, 'operator')`, [
        await bcrypt.hash('legacy password 1', 10),
      ]);
      await login({ username: 'legacy', password: 'legacy password 2' }, '10.1.1.1').expect(401);
      await login({ username: 'legacy', password: 'legacy password 1' }, '10.1.1.1').expect(200);
      const [row] = await t.dataSource.query(`SELECT password_hash FROM admins WHERE username = 'legacy'`);
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      await login({ username: 'legacy', password: 'legacy password 1' }, '10.1.1.1').expect(200);
    });

    it('never cuts a long password short (bcrypt reads only 72 bytes)', async () => {
      const long = 'x'.repeat(72);
      await t.dataSource.query(
        `INSERT INTO admins (username, password_hash, role) VALUES ('long-bcrypt', $1, 'operator')`,
        [await bcrypt.hash(long, 10)],
      );
      // bcrypt itself would accept this: the first 72 bytes match.
      await login({ username: 'long-bcrypt', password: `${long}-and-more` }, '10.1.2.1').expect(401);
      await login({ username: 'long-bcrypt', password: long }, '10.1.2.1').expect(200);

      const hundred = 'y'.repeat(100);
      await t.dataSource.query(`UPDATE admins SET password_hash = $1 WHERE username = 'long-bcrypt'`, [
        await argon2.hash(hundred),
      ]);
      await login({ username: 'long-bcrypt', password: `${'y'.repeat(72)}zzz` }, '10.1.2.2').expect(401);
      await login({ username: 'long-bcrypt', password: hundred }, '10.1.2.2').expect(200);
    });
  });

  describe('login limiter', () => {
    it('takes the budget atomically before any password check: 40 parallel wrong passwords get exactly 3 checks', async () => {
      const before = await failureCount();
      const responses = await Promise.all(
        Array.from({ length: 40 }, () => login({ username: ADMIN.username, password: 'wrong-password' }, '10.2.0.1')),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 401)).toHaveLength(3);
      expect(statuses.filter((status) => status === 429)).toHaveLength(37);
      expect((await failureCount()) - before).toBe(3);
      const refused = responses.find((response) => response.status === 429)!;
      expect(refused.body.code).toBe('TOO_MANY_LOGIN_ATTEMPTS');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('counts every username against the address, so random usernames do not each get a budget', async () => {
      for (let i = 0; i < 3; i++)
        await login({ username: `random-${i}`, password: 'whatever1' }, '10.2.1.1').expect(401);
      await login({ username: 'random-new', password: 'whatever1' }, '10.2.1.1').expect(429);
      // Locked out from that address, even with the right password ...
      await login(ADMIN, '10.2.1.1').expect(429);
    });

    it('still lets the admin in from an address that has not failed', async () => {
      for (let i = 0; i < 3; i++)
        await login({ username: ADMIN.username, password: 'stranger' }, '10.2.2.1').expect(401);
      await login({ username: ADMIN.username, password: 'stranger' }, '10.2.2.1').expect(429);
      await login(ADMIN, '10.2.2.2').expect(200);
    });

    it('gives a good login its attempt back', async () => {
      for (let i = 0; i < 10; i++) await login(ADMIN, '10.2.3.1').expect(200);
    });

    it('takes the client address from the trusted proxies only: a forged X-Forwarded-For entry resets nothing', async () => {
      for (let i = 0; i < 3; i++) {
        await login({ username: ADMIN.username, password: 'forger' }, `203.0.113.${i}, 10.2.4.1`).expect(401);
      }
      await login({ username: ADMIN.username, password: 'forger' }, '203.0.113.99, 10.2.4.1').expect(429);
    });

    it('groups IPv6 clients by /64', async () => {
      for (let i = 1; i <= 3; i++) {
        await login({ username: ADMIN.username, password: 'six' }, `2001:db8:1:2::${i}`).expect(401);
      }
      await login({ username: ADMIN.username, password: 'six' }, '2001:db8:1:2:ffff::1').expect(429);
      await login(ADMIN, '2001:db8:1:3::1').expect(200);
    });
  });

  describe('password checks in flight', () => {
    let busy: TestApp;
    const attempt = (address: string, body: object) =>
      busy.http().post('/api/v1/auth/login').set('X-Forwarded-For', address).send(body);
    const wrong = { username: ADMIN.username, password: 'wrong-password' };
    const pointsOf = async (address: string) =>
      (
        await busy.dataSource.query(`SELECT coalesce(max(points), 0)::int AS n FROM login_throttle WHERE key = $1`, [
          `login:${address}`,
        ])
      )[0].n as number;

    beforeAll(async () => {
      busy = await startTestApp({
        env: {
          LOGIN_CONCURRENCY: '1',
          LOGIN_QUEUE: '2',
          LOGIN_MAX_FAILURES: '100',
          LOGIN_REJECT_DELAY_MS: '300',
          TRUST_PROXY: 'loopback',
        },
      });
      // A check that holds the one slot for a while: bcrypt at cost 15 (about 1.4 s on a fast machine), well past the
      // 0.8 s the queue tests take to line their next attempts up behind it (cost 14 finished first on a fast one).
      await busy.dataSource.query(
        `INSERT INTO admins (username, password_hash, role) VALUES ('slow', $1, 'operator')`,
        [await bcrypt.hash('slow password', 15)],
      );
    });
    afterAll(() => busy.close());

    it('are answered after LOGIN_REJECT_DELAY_MS when they fail, as is every refusal of a stranger', async () => {
      const refusals = [
        () => attempt('10.6.0.1', wrong).expect(401),
        () => attempt('10.6.0.2', { username: 'x' }).expect(400),
        () => busy.http().post('/api/v1/auth/login').set('Content-Type', 'text/plain').send('x').expect(415),
        () => busy.http().get('/api/v1/nodes').expect(401),
        () => busy.http().get('/api/v1/nodes').set('Authorization', 'Bearer fleet_unknown').expect(401),
      ];
      for (const refusal of refusals) {
        const started = Date.now();
        await refusal();
        expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      }
    });

    it('wait in a bounded queue, clean addresses first: a full queue refuses a suspect address and keeps its attempt', async () => {
      const suspects = ['10.7.0.1', '10.7.0.2', '10.7.0.3', '10.7.0.4'];
      for (const address of suspects) await attempt(address, wrong).expect(401); // one failure each
      const slowWrong = { username: 'slow', password: 'not it' };
      const finished: string[] = [];
      const tracked = (label: string, call: ReturnType<typeof attempt>) =>
        call.then((response) => {
          finished.push(label);
          return response.status;
        });
      const running = tracked('A', attempt(suspects[0], slowWrong)); // takes the slot
      await pause(150);
      const queuedB = tracked('B', attempt(suspects[1], slowWrong));
      await pause(150);
      const queuedC = tracked('C', attempt(suspects[2], slowWrong)); // the queue (2) is full now
      await pause(150);
      expect(await tracked('D', attempt(suspects[3], slowWrong))).toBe(429); // a suspect cannot displace one
      const clean = tracked('E', attempt('192.0.2.50', ADMIN)); // a clean address takes C's place
      expect(await Promise.all([running, queuedB, queuedC, clean])).toEqual([401, 401, 429, 200]);
      expect(finished.indexOf('E')).toBeLessThan(finished.indexOf('B')); // and goes before B
      // The refused ones had no password checked: their attempt was given back.
      expect(await pointsOf(suspects[2])).toBe(1);
      expect(await pointsOf(suspects[3])).toBe(1);
      expect(await pointsOf(suspects[1])).toBe(2);
    });

    it('refuse a clean address only when the queue is full of clean ones', async () => {
      const slowWrong = { username: 'slow', password: 'not it' };
      const sent = (address: string) => attempt(address, slowWrong).then((response) => response); // sent now
      const first = sent('10.8.0.1');
      await pause(150);
      const waiting = [sent('10.8.0.2'), sent('10.8.0.3')];
      await pause(150);
      const refused = await attempt('10.8.0.4', ADMIN);
      expect(refused.status).toBe(429);
      expect(refused.body.message.join(' ')).toContain('too many logins at this moment');
      expect(refused.headers['retry-after']).toBe('1');
      expect((await Promise.all([first, ...waiting])).map((response) => response.status)).toEqual([401, 401, 401]);
      expect(await pointsOf('10.8.0.4')).toBe(0);
      await attempt('10.8.0.4', ADMIN).expect(200);
    });
  });

  describe('a flood from many addresses', () => {
    let crowded: TestApp;
    const crowd = (address: string, body: object) =>
      crowded.http().post('/api/v1/auth/login').set('X-Forwarded-For', address).send(body);
    beforeAll(async () => {
      crowded = await startTestApp({
        env: { LOGIN_CONCURRENCY: '1', LOGIN_REJECT_DELAY_MS: '300', TRUST_PROXY: 'loopback' },
      });
    });
    afterAll(() => crowded.close());

    it('a distributed flood delays the right password from a clean address, never refuses it', async () => {
      let flooding = true;
      const statuses: number[] = [];
      const flooder = async (client: number) => {
        for (let i = 0; flooding; i++) {
          const response = await crowd(`10.5.${client}.${i % 250}`, {
            username: `x${client}-${i}`,
            password: 'nope',
          });
          statuses.push(response.status);
        }
      };
      const flood = Promise.all(Array.from({ length: 20 }, (_, client) => flooder(client)));
      await pause(300);
      const right: number[] = [];
      for (let i = 1; i <= 5; i++) right.push((await crowd(`192.0.2.${i}`, ADMIN)).status);
      flooding = false;
      await flood;
      expect(right).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.length).toBeGreaterThan(20);
      expect(statuses.every((status) => status === 401)).toBe(true);
    });
  });

  describe('sessions', () => {
    it('refuses a valid JWT of an admin who no longer exists', async () => {
      await t.dataSource.query(`INSERT INTO admins (username, password_hash, role) VALUES ('leaver', $1, 'operator')`, [
        await argon2.hash('leaver password'),
      ]);
      const { body } = await login({ username: 'leaver', password: 'leaver password' }, '10.3.0.1').expect(200);
      await t.dataSource.query(`DELETE FROM admins WHERE username = 'leaver'`);
      const response = await t
        .http()
        .get('/api/v1/nodes')
        .set('Authorization', `Bearer ${body.accessToken}`)
        .expect(401);
      expect(response.body.code).toBe('UNAUTHENTICATED');
    });

    it('revokes every token of the admin on logout-all', async () => {
      await t.dataSource.query(`INSERT INTO admins (username, password_hash, role) VALUES ('roamer', $1, 'operator')`, [
        await argon2.hash('roamer password'),
      ]);
      const first = (await login({ username: 'roamer', password: 'roamer password' }, '10.3.1.1').expect(200)).body;
      const second = (await login({ username: 'roamer', password: 'roamer password' }, '10.3.1.1').expect(200)).body;
      const as = (token: string) => ({ Authorization: `Bearer ${token}` });
      await t.http().get('/api/v1/nodes').set(as(second.accessToken)).expect(200);
      await t.http().post('/api/v1/auth/logout-all').set(as(first.accessToken)).expect(204);
      await t.http().get('/api/v1/nodes').set(as(first.accessToken)).expect(401);
      await t.http().get('/api/v1/nodes').set(as(second.accessToken)).expect(401);
      const fresh = (await login({ username: 'roamer', password: 'roamer password' }, '10.3.1.1').expect(200)).body;
      await t.http().get('/api/v1/nodes').set(as(fresh.accessToken)).expect(200);
      await t.http().post('/api/v1/auth/logout-all').expect(401);
      await t
        .http()
        .post('/api/v1/auth/logout-all')
        .set(as(await t.tokenFor('viewer')))
        .expect(403);
    });

    it('renews a session’s token while it is used, until SESSION_MAX_HOURS after the login; never a revoked one', async () => {
      await t.dataSource.query(
        `INSERT INTO admins (username, password_hash, role) VALUES ('renewer', $1, 'operator')`,
        [await argon2.hash('renewer password')],
      );
      const as = (token: string) => ({ Authorization: `Bearer ${token}` });
      const first = (await login({ username: 'renewer', password: 'renewer password' }, '10.3.3.1').expect(200)).body;
      const jwt = t.app.get(JwtService);
      const began = jwt.decode(first.accessToken).auth;
      await new Promise((resolve) => setTimeout(resolve, 1100)); // a later expiry than the first token's
      const renewed = (await t.http().post('/api/v1/auth/refresh').set(as(first.accessToken)).expect(200)).body;
      expect(renewed.expiresIn).toBe(first.expiresIn);
      expect(jwt.decode(renewed.accessToken).exp).toBeGreaterThan(jwt.decode(first.accessToken).exp);
      expect(jwt.decode(renewed.accessToken).auth).toBe(began); // the same session
      await t.http().get('/api/v1/nodes').set(as(renewed.accessToken)).expect(200);

      // A session begun longer ago than SESSION_MAX_HOURS (168 by default) is not renewed.
      const { sub, username, ver } = jwt.decode(first.accessToken);
      const old = await jwt.signAsync(
        { sub, username, role: 'admin', ver, auth: Math.floor(Date.now() / 1000) - 169 * 3600 },
        { expiresIn: 600 },
      );
      await t.http().get('/api/v1/nodes').set(as(old)).expect(200);
      const refused = await t.http().post('/api/v1/auth/refresh').set(as(old)).expect(401);
      expect(refused.body.message).toEqual(['the session is too old to renew; log in again']);

      // Revoked, expired, absent or an API token's: no renewal.
      await t.http().post('/api/v1/auth/logout-all').set(as(renewed.accessToken)).expect(204);
      await t.http().post('/api/v1/auth/refresh').set(as(renewed.accessToken)).expect(401);
      await t.http().post('/api/v1/auth/refresh').set(as('not-a-token')).expect(401);
      await t.http().post('/api/v1/auth/refresh').expect(401);
      expect(
        (
          await t
            .http()
            .post('/api/v1/auth/refresh')
            .set(as(await t.tokenFor('bot')))
            .expect(403)
        ).body.code,
      ).toBe('FORBIDDEN');
    });

    it('changes the password, revoking the old tokens', async () => {
      await t.dataSource.query(
        `INSERT INTO admins (username, password_hash, role) VALUES ('changer', $1, 'operator')`,
        [await argon2.hash('changer password')],
      );
      const old = (await login({ username: 'changer', password: 'changer password' }, '10.3.2.1').expect(200)).body;
      const auth = { Authorization: `Bearer ${old.accessToken}` };
      const route = '/api/v1/auth/password';
      await t
        .http()
        .post(route)
        .set(auth)
        .send({ currentPassword: 'nope', newPassword: 'a new long password' })
        .expect(401);
      const short = await t
        .http()
        .post(route)
        .set(auth)
        .send({ currentPassword: 'changer password', newPassword: 'short' });
      expect(short.status).toBe(400);
      expect(short.body.message.join(' ')).toContain('newPassword');
      await t.http().post(route).set(auth).send({ currentPassword: 'changer password' }).expect(400);
      const { body: fresh } = await t
        .http()
        .post(route)
        .set(auth)
        .send({ currentPassword: 'changer password', newPassword: 'a new long password' })
        .expect(200);
      await t.http().get('/api/v1/nodes').set(auth).expect(401);
      await t.http().get('/api/v1/nodes').set('Authorization', `Bearer ${fresh.accessToken}`).expect(200);
      await login({ username: 'changer', password: 'changer password' }, '10.3.2.2').expect(401);
      await login({ username: 'changer', password: 'a new long password' }, '10.3.2.2').expect(200);
      const adminToken = await apiToken('owner');
      await t
        .http()
        .post(route)
        .set('Authorization', `Bearer ${adminToken}`)
        .send({ currentPassword: 'x', newPassword: 'a new long password' })
        .expect(403);
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

  describe('API tokens', () => {
    it('shows the token once, stores only its hash and lists it without the secret', async () => {
      const auth = { Authorization: `Bearer ${await t.adminToken()}` };
      const { body: created } = await t
        .http()
        .post('/api/v1/tokens')
        .set(auth)
        .send({ name: 'bot-1', role: 'bot' })
        .expect(201);
      expect(created).toMatchObject({
        name: 'bot-1',
        role: 'bot',
        scopes: ['keys:read', 'keys:write'],
        createdBy: 'admin:root-admin',
        expiresAt: null,
        lastUsedAt: null,
      });
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
        { name: 'x' },
        { name: 'x', role: 'bot', scopes: ['keys:read'] },
        { name: 'x', scopes: [] },
        { name: 'x', scopes: ['keys:read', 'root'] },
        { name: 'x', scopes: 'keys:read' },
        { name: 'x', role: 'bot', expiresAt: '2020-01-01T00:00:00Z' },
        { name: 'x', role: 'bot', expiresAt: 'tomorrow' },
        { name: 'x', role: 'bot', expiresAt: '10000-01-01T00:00:00Z' },
      ]) {
        const response = await t.http().post('/api/v1/tokens').set(auth).send(body).expect(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
      }
      await t.http().delete('/api/v1/tokens/abc').set(auth).expect(400);
    });

    it('gives a token only the scopes picked for it, and refuses it once it has expired', async () => {
      const auth = { Authorization: `Bearer ${await t.adminToken()}` };
      const soon = new Date(Date.now() + 1500).toISOString();
      const { body: created } = await t
        .http()
        .post('/api/v1/tokens')
        .set(auth)
        .send({ name: 'scraper', scopes: ['metrics:read', 'nodes:read', 'metrics:read'], expiresAt: soon })
        .expect(201);
      expect(created).toMatchObject({ role: null, scopes: ['nodes:read', 'metrics:read'], expiresAt: soon });
      const as = { Authorization: `Bearer ${created.token}` };
      await t.http().get('/metrics').set(as).expect(200);
      await t.http().get('/api/v1/nodes').set(as).expect(200);
      const refused = await t.http().get('/api/v1/users').set(as).expect(403);
      expect(refused.body.message).toEqual(['this route needs the users:read scope']);
      const { body: list } = await t.http().get('/api/v1/tokens').set(auth).expect(200);
      expect(list.find((token: { id: number }) => token.id === created.id).lastUsedAt).not.toBeNull();
      await pause(1600);
      const expired = await t.http().get('/api/v1/nodes').set(as).expect(401);
      expect(expired.body.message).toEqual(['invalid or expired API token']);
    });

    it('lets an admin API token do admin work, recorded under its name', async () => {
      const { body: created } = await t
        .http()
        .post('/api/v1/tokens')
        .set('Authorization', `Bearer ${await t.adminToken()}`)
        .send({ name: 'ops-admin', role: 'admin' })
        .expect(201);
      // `admin` is the former name of the owner preset.
      expect(created.role).toBe('owner');
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
