import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { ADMIN, nodeBody, startTestApp, TestApp } from './support/test-app';

/**
 * Walks the OpenAPI document and sends every route malformed ids, bodies and query strings with a valid admin token.
 * Nothing may answer 5xx, and no answer may carry a stack trace or SQL.
 */
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
}
interface Operation {
  method: Method;
  /** OpenAPI template, e.g. `/api/v1/nodes/{id}`. */
  path: string;
  query: string[];
  body: Schema | null;
}

const LEAKS =
  /\bat .+:\d+:\d+|QueryFailedError|node_modules|\bSELECT\b|\bINSERT INTO\b|\bUPDATE \w+ SET\b|syntax error at/;
const BAD_IDS = [
  '0x10',
  '+1',
  '%201',
  '1%20',
  '1e3',
  '-0',
  '-1',
  '0',
  '01',
  '1.5',
  '2147483648',
  '9999999999999999999',
  'abc',
  '%00',
  '1%00',
  '%ED%A0%80',
  '%FF',
  'Infinity',
];
const BAD_QUERY_VALUES = [
  '9'.repeat(20),
  '2147483648',
  '0x10',
  '1e3',
  '-1',
  '%00',
  'a%00b',
  '%ED%A0%80',
  '%FF',
  'x'.repeat(300),
  // dates ISO 8601 allows but no route takes, and cursors past every range
  '2026-W01',
  '2026-100',
  '20260101T000000Z',
  '-9999-01-01',
  '%2B010000-01-01T00:00:00Z',
  '1.9999999999999999999',
  '9999999999999999999.1',
];
const RAW_BODIES: Array<{ label: string; body: string | Buffer; headers?: Record<string, string> }> = [
  { label: 'deep array nesting', body: '['.repeat(200_000) },
  { label: 'deep object nesting', body: '{"a":'.repeat(50) + '1' + '}'.repeat(50) },
  { label: 'invalid JSON', body: '{"name": ' },
  { label: 'a JSON string', body: '"text"' },
  { label: 'a JSON number', body: '123' },
  { label: 'JSON null', body: 'null' },
  { label: 'broken gzip', body: Buffer.from('this is not gzip'), headers: { 'Content-Encoding': 'gzip' } },
  { label: 'truncated gzip', body: gzipSync('{"name":"x"}').subarray(0, 12), headers: { 'Content-Encoding': 'gzip' } },
  { label: 'unknown encoding', body: '{}', headers: { 'Content-Encoding': 'br2' } },
  { label: 'unknown charset', body: '{}', headers: { 'Content-Type': 'application/json; charset=klingon' } },
  { label: 'over the size limit', body: JSON.stringify({ name: 'x'.repeat(200_000) }) },
];
const DTO_BODIES: unknown[] = [
  [],
  [{}],
  { unknownField: 1 },
  { 'key\u0000': 1 },
  { ['\ud800']: 1 },
  Array.from({ length: 3_000 }, () => 0), // ~6 kB: within every body limit (login's is 8 kB), refused by its shape
  Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`k${i}`, 0])),
];

function valuesFor(schema: Schema): unknown[] {
  if (schema.enum) return ['not-a-member', 1];
  switch (schema.type) {
    case 'string':
      return ['\u0000', 'a\u0000b', 'a\ud800b', '\udc00', 12345, ['x'], { x: 1 }];
    case 'integer':
      return [2147483648, 1e19, -1, 1.5, '1', 1e300, true];
    case 'number':
      return ['1', -1, 1e300, true];
    case 'boolean':
      return ['true', 1, null];
    default:
      return ['\u0000', 2147483648];
  }
}

describe('input sweep over every route in the OpenAPI document', () => {
  let t: TestApp;
  let operations: Operation[];
  let auth: { Authorization: string };
  let nodeId: number;

  beforeAll(async () => {
    t = await startTestApp({ env: { TRUST_PROXY: 'loopback', LOGIN_CONCURRENCY: '64' } });
    auth = { Authorization: `Bearer ${await t.adminToken()}` };
    // A panel that refuses at once, so routes that reach it (check-health) answer quickly.
    const refused = nodeBody({ panelUrl: 'http://127.0.0.1:9/base/' });
    nodeId = (await t.http().post('/api/v1/nodes').set(auth).send(refused).expect(201)).body.id;
    const { body: document } = await t.http().get('/api/docs-json').expect(200);
    const resolve = (schema: Schema | undefined): Schema | null =>
      schema?.$ref ? document.components.schemas[schema.$ref.split('/').pop()!] : (schema ?? null);
    operations = Object.entries<Record<string, any>>(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method as Method,
        path,
        query: (op.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => p.name as string),
        body: resolve(op.requestBody?.content?.['application/json']?.schema),
      })),
    );
    // The document lists every route, those served outside Nest too.
    expect(operations.map((op) => `${op.method} ${op.path}`)).toEqual(
      expect.arrayContaining(['get /metrics', 'get /sub/{token}']),
    );
  });
  afterAll(() => t.close());

  const fill = (path: string, value: string) => path.replace(/\{(id|telegramId|token)\}/g, value);
  const send = (method: Method, url: string) => t.http()[method](url).set(auth);

  function check(label: string, response: request.Response, problems: string[]): void {
    if (response.status >= 500) problems.push(`${label}: ${response.status} ${response.text.slice(0, 200)}`);
    if (LEAKS.test(response.text)) problems.push(`${label}: leaks ${response.text.slice(0, 200)}`);
  }

  it('covers every controller route', () => {
    const routes = operations.map((op) => `${op.method.toUpperCase()} ${op.path}`);
    expect(routes.length).toBeGreaterThanOrEqual(33);
    expect(routes).toEqual(
      expect.arrayContaining(['DELETE /api/v1/nodes/{id}', 'PUT /api/v1/keys/{telegramId}', 'GET /api/v1/users']),
    );
  });

  it('answers 400 to every malformed path id, and nothing else', async () => {
    const problems: string[] = [];
    let sent = 0;
    for (const op of operations.filter((o) => /\{(id|telegramId)\}/.test(o.path))) {
      // A telegram id may go up to 2^53-1.
      const bads = op.path.includes('{telegramId}') ? BAD_IDS.filter((bad) => bad !== '2147483648') : BAD_IDS;
      for (const bad of bads) {
        const label = `${op.method.toUpperCase()} ${fill(op.path, bad)}`;
        const response = await send(op.method, fill(op.path, bad));
        sent++;
        check(label, response, problems);
        if (response.status !== 400) problems.push(`${label}: expected 400, got ${response.status}`);
      }
    }
    expect(problems).toEqual([]);
    expect(sent).toBeGreaterThan(300);
    // None of those reached a row: the node is still there.
    await t.http().get(`/api/v1/nodes/${nodeId}`).set(auth).expect(200);
  });

  it('answers 4xx naming the field to malformed body fields, and never writes', async () => {
    const problems: string[] = [];
    const eventsBefore = await count('events');
    for (const op of operations.filter((o) => o.body?.properties)) {
      const url = fill(op.path, '1');
      for (const [field, schema] of Object.entries(op.body!.properties!)) {
        for (const value of valuesFor(schema)) {
          const label = `${op.method.toUpperCase()} ${url} {${field}: ${JSON.stringify(value)}}`;
          const response = await send(op.method, url).send({ [field]: value });
          check(label, response, problems);
          if (response.status !== 400) problems.push(`${label}: expected 400, got ${response.status}`);
          else if (!JSON.stringify(response.body.message).includes(field)) {
            problems.push(`${label}: message does not name ${field}: ${JSON.stringify(response.body.message)}`);
          }
        }
      }
      for (const body of DTO_BODIES) {
        const label = `${op.method.toUpperCase()} ${url} ${JSON.stringify(body).slice(0, 40)}`;
        const response = await send(op.method, url).send(body as object);
        check(label, response, problems);
        if (response.status !== 400) problems.push(`${label}: expected 400, got ${response.status}`);
        else if (response.body.message.length > 6) problems.push(`${label}: ${response.body.message.length} messages`);
      }
    }
    expect(problems).toEqual([]);
    // Login failures would be events; nothing else may have been written either.
    expect(await count('events')).toBe(eventsBefore);
    expect(await count('nodes')).toBe(1);
    expect(await count('api_tokens')).toBe(0);
    expect(await count('vpn_users')).toBe(0);
  });

  it('answers 4xx to unreadable bodies on every route that takes one, with or without credentials', async () => {
    const problems: string[] = [];
    for (const op of operations.filter((o) => o.method !== 'get')) {
      const url = fill(op.path, '1');
      for (const raw of RAW_BODIES) {
        for (const credentials of [auth, {}]) {
          const label = `${op.method.toUpperCase()} ${url} (${raw.label}${credentials === auth ? '' : ', no token'})`;
          const response = await t
            .http()
            [op.method](url)
            .set(credentials)
            .set({ 'Content-Type': 'application/json', ...raw.headers })
            .send(raw.body);
          check(label, response, problems);
          if (response.status < 400) problems.push(`${label}: accepted with ${response.status}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('rejects over-deep JSON before parsing it, in well under a second', async () => {
    const started = performance.now();
    const response = await send('post', '/api/v1/nodes')
      .set('Content-Type', 'application/json')
      .send('['.repeat(15_000) + ']'.repeat(15_000));
    expect(response.status).toBe(400);
    expect(response.body.message.join(' ')).toContain('nested deeper');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('answers 4xx to malformed query values', async () => {
    const problems: string[] = [];
    for (const op of operations.filter((o) => o.query.length)) {
      const url = fill(op.path, String(nodeId));
      for (const name of op.query) {
        for (const value of [...BAD_QUERY_VALUES, ['1', '2']]) {
          const query = Array.isArray(value) ? value.map((v) => `${name}=${v}`).join('&') : `${name}=${value}`;
          const label = `${op.method.toUpperCase()} ${url}?${query.slice(0, 60)}`;
          const response = await send(op.method, `${url}?${query}`);
          check(label, response, problems);
        }
      }
    }
    expect(problems).toEqual([]);
    const digits = await send('get', `/api/v1/users?search=${'9'.repeat(20)}`);
    expect(digits.status).toBe(200);
    const page = await send('get', '/api/v1/events?page=0x10');
    expect(page.status).toBe(400);
    expect(page.body.message.join(' ')).toContain('page');
    expect((await send('get', '/api/v1/events?nodeId=2147483648')).status).toBe(400);
    expect((await send('get', '/api/v1/users?search=a%00b')).status).toBe(400);
  });

  it('answers 4xx to malformed subscription tokens', async () => {
    for (const token of ['x', '%00', '%ED%A0%80', 'a'.repeat(100), '..%2F..%2Fetc', '%FF%FE']) {
      const response = await request(t.url).get(`/sub/${token}`);
      expect([400, 404]).toContain(response.status);
      expect(LEAKS.test(response.text)).toBe(false);
    }
    expect((await request(t.url).get('/sub/x')).status).toBe(404);
  });

  async function count(table: string): Promise<number> {
    return (await t.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
  }

  it('keeps ADMIN able to log in after the sweep', async () => {
    await t.http().post('/api/v1/auth/login').send(ADMIN).expect(200);
  });
});
