import request from 'supertest';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Every route of the OpenAPI document × every kind of credential: the four admin roles (logged in with a password)
 * and API tokens (the `bot` and `viewer` presets, and one with a single scope picked by hand). What each may do is
 * written out here from the contract, independently of the code that enforces it.
 */
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Permission = string;

const PUBLIC = [
  'POST /api/v1/auth/login',
  'GET /healthz',
  'GET /readyz',
  'GET /sub/{token}',
  'GET /sub/{token}/{format}',
];

/** The permission the contract gives each route. */
function permissionOf(method: Method, path: string): Permission {
  const route = path.replace(/^\/api\/v1/, '');
  const reads = method === 'get';
  if (route === '/auth/me') return 'any';
  if (route.startsWith('/auth/') || route === '/admins/me/password') return 'session';
  if (route.startsWith('/admins')) return 'admins:manage';
  if (route.startsWith('/tokens')) return 'tokens:manage';
  if (route === '/keys' || route.startsWith('/keys/')) return reads ? 'keys:read' : 'keys:write';
  if (['/metrics', '/stats/overview', '/stats/attention'].includes(route)) return 'metrics:read';
  if (route === '/stats/top-users' || route === '/nodes/{id}/users') return 'users:read';
  if (route === '/events') return 'events:read';
  if (route === '/users/{id}/keys') return 'users:secrets';
  if (['/users/bulk-migrate', '/users/bulk-delete', '/users/{id}/migrate'].includes(route)) return 'users:write';
  if (route === '/users/{id}' && method === 'delete') return 'users:write';
  if (route.startsWith('/users')) return reads ? 'users:read' : 'users:access';
  return reads ? 'nodes:read' : 'nodes:write';
}

const EVERY_SCOPE = [
  'nodes:read',
  'nodes:write',
  'users:read',
  'users:access',
  'users:write',
  'users:secrets',
  'keys:read',
  'keys:write',
  'events:read',
  'metrics:read',
  'admins:manage',
  'tokens:manage',
];
const READER = ['nodes:read', 'users:read', 'events:read', 'metrics:read'];
const CAN: Record<string, { kind: 'admin' | 'token'; scopes: string[] }> = {
  owner: { kind: 'admin', scopes: EVERY_SCOPE },
  operator: {
    kind: 'admin',
    scopes: EVERY_SCOPE.filter((scope) => !['admins:manage', 'tokens:manage'].includes(scope)),
  },
  support: { kind: 'admin', scopes: [...READER, 'users:access', 'users:secrets', 'keys:read'] },
  viewer: { kind: 'admin', scopes: READER },
  'bot token': { kind: 'token', scopes: ['keys:read', 'keys:write'] },
  'viewer token': { kind: 'token', scopes: READER },
  'metrics token': { kind: 'token', scopes: ['metrics:read'] },
};

const allowed = (who: string, permission: Permission) =>
  permission === 'any' || (permission === 'session' ? CAN[who].kind === 'admin' : CAN[who].scopes.includes(permission));

describe('auth matrix: every route × every role and token', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  let operations: Array<{ method: Method; path: string; documented: unknown }>;

  beforeAll(async () => {
    t = await startTestApp({ env: { LOGIN_CONCURRENCY: '8' } });
    const owner = await t.adminToken();
    tokens['owner'] = owner;
    for (const role of ['operator', 'support', 'viewer']) {
      const account = { username: `${role}-1`, password: `${role} password 123` };
      await t
        .http()
        .post('/api/v1/admins')
        .set('Authorization', `Bearer ${owner}`)
        .send({ ...account, role })
        .expect(201);
      tokens[role] = (await t.http().post('/api/v1/auth/login').send(account).expect(200)).body.accessToken;
    }
    const token = async (body: object) =>
      (await t.http().post('/api/v1/tokens').set('Authorization', `Bearer ${owner}`).send(body).expect(201)).body.token;
    tokens['bot token'] = await token({ name: 'bot', role: 'bot' });
    tokens['viewer token'] = await token({ name: 'viewer', role: 'viewer' });
    tokens['metrics token'] = await token({ name: 'prometheus', scopes: ['metrics:read'] });
    const { body: document } = await t.http().get('/api/docs-json').expect(200);
    operations = Object.entries<Record<string, Record<string, unknown>>>(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method as Method,
        path,
        documented: op['x-required-scope'],
      })),
    );
  });
  afterAll(() => t.close());

  const fill = (path: string) => path.replace(/\{(id|telegramId|token|deviceId)\}/g, '999999');
  const call = (method: Method, path: string, headers: Record<string, string>) => {
    const pending = t.http()[method](fill(path)).set(headers);
    return method === 'get' || method === 'delete' ? pending : pending.send({});
  };

  it('documents the permission of every route as the contract gives it', () => {
    const wrong = operations
      .filter(({ method, path }) => !PUBLIC.includes(`${method.toUpperCase()} ${path}`))
      .filter(({ method, path, documented }) => documented !== permissionOf(method, path))
      .map(
        ({ method, path, documented }) => `${method} ${path}: ${String(documented)}, not ${permissionOf(method, path)}`,
      );
    expect(wrong).toEqual([]);
    expect(operations.length).toBeGreaterThan(70);
  });

  it('answers 401 without or with bad credentials, 403 without the permission, and lets the right ones in', async () => {
    const problems: string[] = [];
    let checked = 0;
    for (const { method, path } of operations) {
      const route = `${method.toUpperCase()} ${path}`;
      if (PUBLIC.includes(route)) continue;
      for (const header of [undefined, 'Bearer nonsense', 'Bearer fleet_unknown', 'Basic YTpi']) {
        const response = await call(method, path, header ? { Authorization: header } : {});
        if (response.status !== 401) problems.push(`${route} with ${header ?? 'nothing'}: ${response.status}`);
      }
      const permission = permissionOf(method, path);
      for (const [who, token] of Object.entries(tokens)) {
        // Logging out everywhere would end the session the sweep goes on with; that route has its own tests.
        if (route === 'POST /api/v1/auth/logout-all' && CAN[who].kind === 'admin') continue;
        const response = await call(method, path, { Authorization: `Bearer ${token}` });
        checked++;
        const expected = allowed(who, permission);
        if (expected && [401, 403].includes(response.status)) problems.push(`${route} as ${who}: ${response.status}`);
        if (!expected && response.status !== 403) problems.push(`${route} as ${who}: ${response.status}, not 403`);
        if (!expected && !String(response.body?.message).includes(permission === 'session' ? 'admin' : permission)) {
          problems.push(`${route} as ${who}: the refusal does not name ${permission}`);
        }
        // With no node to place on, get-or-create answers the contract's 503; every other 5xx is a defect.
        if (response.status >= 500 && response.body?.code !== 'NO_CAPACITY') {
          problems.push(`${route} as ${who}: ${response.status} ${response.text.slice(0, 200)}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(500);
  });

  it('tells each credential what it may do (GET /auth/me)', async () => {
    for (const [who, token] of Object.entries(tokens)) {
      const { body } = await request(t.url).get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
      expect({ who, kind: body.kind, scopes: [...body.scopes].sort() }).toEqual({
        who,
        kind: CAN[who].kind,
        scopes: [...CAN[who].scopes].sort(),
      });
    }
  });
});
