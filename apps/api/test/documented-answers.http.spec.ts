import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import type { Response, Test } from 'supertest';
import { PanelSimulator } from '@fleet/panel-sim';
import { startFleet } from './support/fleet';
import { ADMIN, nodeBody, startTestApp, TestApp } from './support/test-app';

type Fleet = Awaited<ReturnType<typeof startFleet>>;
interface DocumentedOperation {
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}

/**
 * A sample call per route of the OpenAPI document, in an order that makes each possible (things are created before
 * they are read, changed and deleted): every answer's status is one the document gives that route, and its body
 * validates against the schema documented for that status. Routes with two success statuses are called for both.
 * Every route of the document is called.
 */
describe('the document and the server agree', () => {
  let t: TestApp;
  let fleet: Fleet;
  let spare: PanelSimulator;
  let document: { paths: Record<string, Record<string, DocumentedOperation>>; components: object };
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  const validators = new Map<string, ValidateFunction>();
  const called = new Set<string>();
  const problems: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    fleet = await startFleet(t, [
      { node: { location: 'Amsterdam' } },
      { node: { location: 'Warsaw' } },
      { node: { location: 'Warsaw' } },
    ]);
    spare = await new PanelSimulator({ tag: 'spare' }).start();
    document = (await t.http().get('/api/docs-json').expect(200)).body;
  });
  afterAll(async () => {
    await t.close();
    await fleet.stop();
    await spare.stop();
  });

  /** Sends `request` as the sample of `operation` ("GET /api/v1/nodes/{id}") and checks its answer; answers it. */
  async function sample(operation: string, request: Test): Promise<Response> {
    const [method, path] = operation.split(' ');
    const documented = document.paths[path]?.[method.toLowerCase()];
    const response = await request;
    called.add(operation);
    if (!documented) {
      problems.push(`${operation}: not in the document`);
      return response;
    }
    const status = String(response.status);
    const answer = documented.responses[status];
    if (!status.startsWith('2') || !answer) {
      const successes = Object.keys(documented.responses).filter((code) => code.startsWith('2'));
      problems.push(`${operation}: answered ${status} (${response.text.slice(0, 200)}), documents ${successes}`);
      return response;
    }
    const schema = answer.content?.['application/json']?.schema;
    if (schema) {
      const key = `${operation} ${status}`;
      if (!validators.has(key)) validators.set(key, ajv.compile({ ...schema, components: document.components }));
      const validate = validators.get(key)!;
      if (!validate(response.body)) {
        for (const error of validate.errors ?? []) problems.push(`${key}: body${error.instancePath} ${error.message}`);
      }
    }
    return response;
  }

  /** Sends `request` as a refusal of `operation`, expected to answer `code`: its status and code are documented. */
  async function refusal(operation: string, request: Test, code: string): Promise<void> {
    const [method, path] = operation.split(' ');
    const response = await request;
    const answer = document.paths[path]?.[method.toLowerCase()]?.responses[String(response.status)];
    if (response.body?.code !== code) problems.push(`${operation}: answered ${response.status} ${response.text}`);
    const schema = answer?.content?.['application/json']?.schema;
    if (!schema) return void problems.push(`${operation}: ${response.status} ${code} is not documented`);
    const validate = ajv.compile({ ...schema, components: document.components });
    if (!validate(response.body)) {
      for (const error of validate.errors ?? [])
        problems.push(`${operation} ${code}: body${error.instancePath} ${error.message}`);
    }
  }

  it('every refusal answers a status and code its route documents', async () => {
    const http = () => t.http();
    const auth = fleet.auth;
    const bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
    const [amsterdam] = fleet.nodeIds;
    const { body: key } = await http().put('/api/v1/keys/6001').set(auth).send({ location: 'Amsterdam' }).expect(201);
    const user = `/api/v1/users/${key.userId}`;

    await refusal(
      'POST /api/v1/auth/login',
      http()
        .post('/api/v1/auth/login')
        .send({ ...ADMIN, password: 'wrong password' }),
      'INVALID_CREDENTIALS',
    );
    await refusal('GET /api/v1/nodes', http().get('/api/v1/nodes'), 'UNAUTHENTICATED');
    await refusal('GET /api/v1/nodes', http().get('/api/v1/nodes').set(bot), 'FORBIDDEN');
    await refusal(
      'POST /api/v1/nodes/{id}/check-health',
      http().post('/api/v1/nodes/abc/check-health').set(auth),
      'VALIDATION_FAILED',
    );
    await refusal('GET /api/v1/nodes/{id}', http().get('/api/v1/nodes/999').set(auth), 'NODE_NOT_FOUND');
    await refusal('GET /api/v1/users/{id}', http().get('/api/v1/users/999999').set(auth), 'USER_NOT_FOUND');
    await refusal('GET /api/v1/keys/{telegramId}', http().get('/api/v1/keys/424').set(auth), 'USER_NOT_FOUND');
    await refusal('GET /api/v1/groups/{id}', http().get('/api/v1/groups/999').set(auth), 'GROUP_NOT_FOUND');
    await refusal('GET /api/v1/jobs/{id}', http().get('/api/v1/jobs/999').set(auth), 'JOB_NOT_FOUND');
    await refusal(
      'DELETE /api/v1/keys/{telegramId}/devices/{deviceId}',
      http().delete('/api/v1/keys/6001/devices/999').set(auth),
      'DEVICE_NOT_FOUND',
    );
    await refusal('DELETE /api/v1/tokens/{id}', http().delete('/api/v1/tokens/999').set(auth), 'TOKEN_NOT_FOUND');
    await refusal('GET /sub/{token}', http().get('/sub/no-such-token-0123456789'), 'NOT_FOUND');
    await refusal('GET /sub/{token}/{format}', http().get('/sub/no-such-token-0123456789/yaml'), 'VALIDATION_FAILED');
    await refusal(
      'POST /api/v1/nodes',
      http()
        .post('/api/v1/nodes')
        .set(auth)
        .send(nodeBody({ name: 'node-1' })),
      'NODE_NAME_TAKEN',
    );
    await refusal(
      'POST /api/v1/nodes',
      http().post('/api/v1/nodes').set(auth).set('Content-Type', 'text/plain').send('name=x'),
      'UNSUPPORTED_MEDIA_TYPE',
    );
    await refusal(
      'POST /api/v1/nodes',
      http()
        .post('/api/v1/nodes')
        .set(auth)
        .send({ name: 'x'.repeat(70_000) }),
      'PAYLOAD_TOO_LARGE',
    );
    const { body: groups } = await http().get('/api/v1/groups').set(auth).expect(200);
    await refusal(
      'POST /api/v1/groups',
      http().post('/api/v1/groups').set(auth).send({ name: groups[0].name }),
      'GROUP_NAME_TAKEN',
    );
    await refusal(
      'DELETE /api/v1/groups/{id}',
      http().delete(`/api/v1/groups/${groups[0].id}`).set(auth),
      'GROUP_HAS_NODES',
    );
    await refusal(
      'POST /api/v1/users/{id}/migrate',
      http().post(`${user}/migrate`).set(auth).send({ nodeId: 999 }),
      'NODE_NOT_FOUND',
    );
    await refusal(
      'POST /api/v1/users/{id}/migrate',
      http().post(`${user}/migrate`).set(auth).send({ nodeId: amsterdam }),
      'NODE_NOT_ELIGIBLE',
    );
    await refusal(
      'POST /api/v1/keys/{telegramId}/relocate',
      http().post('/api/v1/keys/6001/relocate').set(auth).send({ location: 'Tokyo' }),
      'NODE_NOT_ELIGIBLE',
    );
    const once = (days: number) =>
      http().post('/api/v1/keys/6001/extend').set(auth).set('Idempotency-Key', 'order-1').send({ days });
    await once(1).expect(200);
    await refusal('POST /api/v1/keys/{telegramId}/extend', once(2), 'IDEMPOTENCY_KEY_REUSED');
    await fleet.panels[0].setFault({ kind: 'refuse' });
    await refusal(
      'POST /api/v1/nodes/{id}/adopt',
      http().post(`/api/v1/nodes/${amsterdam}/adopt`).set(auth),
      'NODE_UNREACHABLE',
    );
    await fleet.panels[0].setFault({ kind: 'none' });
    await http().delete(`${user}`).set(auth).expect(204);
    expect(problems).toEqual([]);
  });

  it('every route answers a status it documents, with a body its schema describes', async () => {
    const http = () => t.http();
    const auth = fleet.auth;
    const [amsterdam, warsaw, warsawToo] = fleet.nodeIds;

    // Probes, metrics and authentication.
    await sample('GET /healthz', http().get('/healthz'));
    await sample('GET /readyz', http().get('/readyz'));
    await sample('GET /metrics', http().get('/metrics').set(auth));
    await sample('POST /api/v1/auth/login', http().post('/api/v1/auth/login').send(ADMIN));
    await sample('GET /api/v1/tokens', http().get('/api/v1/tokens').set(auth));
    const token = await sample(
      'POST /api/v1/tokens',
      http().post('/api/v1/tokens').set(auth).send({ name: 'sample-bot', role: 'bot' }),
    );
    await sample('DELETE /api/v1/tokens/{id}', http().delete(`/api/v1/tokens/${token.body.id}`).set(auth));
    await sample('GET /api/v1/auth/me', http().get('/api/v1/auth/me').set(auth));
    await sample('GET /api/v1/admins', http().get('/api/v1/admins').set(auth));
    const colleague = await sample(
      'POST /api/v1/admins',
      http()
        .post('/api/v1/admins')
        .set(auth)
        .send({ username: 'sample-support', password: 'a long password', role: 'support' }),
    );
    await sample(
      'PATCH /api/v1/admins/{id}',
      http().patch(`/api/v1/admins/${colleague.body.id}`).set(auth).send({ role: 'viewer' }),
    );
    await refusal(
      'PATCH /api/v1/admins/{id}',
      http().patch('/api/v1/admins/1').set(auth).send({ role: 'viewer' }),
      'LAST_OWNER',
    );
    await refusal(
      'POST /api/v1/admins',
      http()
        .post('/api/v1/admins')
        .set(auth)
        .send({ username: 'sample-support', password: 'a long password', role: 'viewer' }),
      'ADMIN_NAME_TAKEN',
    );
    await refusal('DELETE /api/v1/admins/{id}', http().delete('/api/v1/admins/999').set(auth), 'ADMIN_NOT_FOUND');
    await sample('DELETE /api/v1/admins/{id}', http().delete(`/api/v1/admins/${colleague.body.id}`).set(auth));

    // Groups and nodes.
    await sample('GET /api/v1/groups', http().get('/api/v1/groups').set(auth));
    const group = await sample('POST /api/v1/groups', http().post('/api/v1/groups').set(auth).send({ name: 'Spare' }));
    const groupPath = `/api/v1/groups/${group.body.id}`;
    await sample('GET /api/v1/groups/{id}', http().get(groupPath).set(auth));
    await sample('PATCH /api/v1/groups/{id}', http().patch(groupPath).set(auth).send({ name: 'Spare 2' }));
    await sample('DELETE /api/v1/groups/{id}', http().delete(groupPath).set(auth));
    await sample('GET /api/v1/nodes', http().get('/api/v1/nodes').set(auth));
    const panel = { panelUrl: spare.url, panelUsername: spare.username, panelPassword: spare.password };
    const extra = await sample(
      'POST /api/v1/nodes',
      http()
        .post('/api/v1/nodes')
        .set(auth)
        .send(nodeBody({ name: 'spare', ...panel })),
    );
    const extraPath = `/api/v1/nodes/${extra.body.id}`;
    await sample('GET /api/v1/nodes/{id}', http().get(extraPath).set(auth));
    await sample('PATCH /api/v1/nodes/{id}', http().patch(extraPath).set(auth).send({ weight: 2 }));
    await sample('POST /api/v1/nodes/{id}/test-connection', http().post(`${extraPath}/test-connection`).set(auth));
    await sample(
      'POST /api/v1/nodes/test-connection',
      http()
        .post('/api/v1/nodes/test-connection')
        .set(auth)
        .send({ panelUrl: 'http://127.0.0.1:1/', panelUsername: 'admin', panelPassword: 'nothing-listens' }),
    );
    await sample('POST /api/v1/nodes/{id}/check-health', http().post(`${extraPath}/check-health`).set(auth));
    await sample('POST /api/v1/nodes/check-health', http().post('/api/v1/nodes/check-health').set(auth));
    await sample('GET /api/v1/nodes/{id}/health', http().get(`${extraPath}/health`).set(auth));
    await sample('GET /api/v1/health/recent', http().get('/api/v1/health/recent').set(auth));
    await sample('POST /api/v1/nodes/{id}/adopt', http().post(`${extraPath}/adopt`).set(auth));
    await sample('POST /api/v1/nodes/{id}/drain', http().post(`${extraPath}/drain`).set(auth)); // nobody: 200
    await sample('DELETE /api/v1/nodes/{id}', http().delete(extraPath).set(auth)); // nobody: 204

    // Keys, as a bot calls them: created (201), then found (200).
    const keys = '/api/v1/keys';
    await sample('PUT /api/v1/keys/{telegramId}', http().put(`${keys}/7001`).set(auth).send({ username: 'alice' }));
    const key = await sample(
      'PUT /api/v1/keys/{telegramId}',
      http().put(`${keys}/7001`).set(auth).send({ location: 'Warsaw' }),
    );
    await sample('GET /api/v1/keys/{telegramId}', http().get(`${keys}/7001`).set(auth));
    await sample('GET /api/v1/keys', http().get(`${keys}?username=alice`).set(auth));
    await sample('GET /api/v1/keys/{telegramId}/node', http().get(`${keys}/7001/node`).set(auth));
    await sample('GET /api/v1/keys/{telegramId}/usage', http().get(`${keys}/7001/usage`).set(auth));
    await sample('POST /api/v1/keys/{telegramId}/refresh', http().post(`${keys}/7001/refresh`).set(auth));
    await sample(
      'POST /api/v1/keys/{telegramId}/relocate',
      http().post(`${keys}/7001/relocate`).set(auth).send({ location: 'Amsterdam' }),
    );
    await sample(
      'PATCH /api/v1/keys/{telegramId}/access',
      http().patch(`${keys}/7001/access`).set(auth).send({ deviceLimit: 3 }),
    );
    await sample(
      'POST /api/v1/keys/{telegramId}/extend',
      http().post(`${keys}/7001/extend`).set(auth).send({ days: 1 }),
    );
    await sample('POST /api/v1/keys/{telegramId}/reset-traffic', http().post(`${keys}/7001/reset-traffic`).set(auth));
    await sample(
      'POST /api/v1/keys/{telegramId}/rotate',
      http().post(`${keys}/7001/rotate`).set(auth).send({ scope: 'key' }),
    );
    const token7001 = new URL(key.body.subscriptionUrl).pathname;
    await sample('GET /sub/{token}', http().get(token7001));
    await sample('GET /sub/{token}/{format}', http().get(`${token7001}/clash`));
    await http().get(token7001).set('x-hwid', 'sample-device').expect(200);
    const devices = await sample('GET /api/v1/keys/{telegramId}/devices', http().get(`${keys}/7001/devices`).set(auth));
    await sample('GET /api/v1/users/{id}/devices', http().get(`/api/v1/users/${key.body.userId}/devices`).set(auth));
    await sample(
      'DELETE /api/v1/keys/{telegramId}/devices/{deviceId}',
      http().delete(`${keys}/7001/devices/${devices.body[0].id}`).set(auth),
    );
    await http().get(token7001).set('x-hwid', 'sample-device').expect(200);
    const again = await http().get(`${keys}/7001/devices`).set(auth).expect(200);
    await sample(
      'DELETE /api/v1/users/{id}/devices/{deviceId}',
      http().delete(`/api/v1/users/${key.body.userId}/devices/${again.body[0].id}`).set(auth),
    );

    // Users, as an admin sees them.
    const userPath = `/api/v1/users/${key.body.userId}`;
    await sample('GET /api/v1/users', http().get('/api/v1/users').set(auth));
    await sample('GET /api/v1/users/{id}', http().get(userPath).set(auth));
    await sample('GET /api/v1/users/{id}/keys', http().get(`${userPath}/keys`).set(auth));
    await sample('GET /api/v1/users/export.csv', http().get('/api/v1/users/export.csv').set(auth));
    const bulkIds = { ids: [key.body.userId, 999999] };
    await sample(
      'POST /api/v1/users/bulk-extend',
      http()
        .post('/api/v1/users/bulk-extend')
        .set(auth)
        .send({ ...bulkIds, days: 1 }),
    );
    await sample(
      'POST /api/v1/users/bulk-access',
      http()
        .post('/api/v1/users/bulk-access')
        .set(auth)
        .send({ ...bulkIds, enabled: true }),
    );
    await sample(
      'POST /api/v1/users/bulk-migrate',
      http()
        .post('/api/v1/users/bulk-migrate')
        .set(auth)
        .send({ ...bulkIds, nodeId: 424242 }),
    );
    await sample(
      'POST /api/v1/users/bulk-delete',
      http()
        .post('/api/v1/users/bulk-delete')
        .set(auth)
        .send({ ids: [999999] }),
    );
    await sample('GET /api/v1/nodes/{id}/users', http().get(`/api/v1/nodes/${amsterdam}/users`).set(auth));
    await sample(
      'POST /api/v1/users/{id}/migrate',
      http().post(`${userPath}/migrate`).set(auth).send({ nodeId: warsaw }),
    );
    await sample('PATCH /api/v1/users/{id}/access', http().patch(`${userPath}/access`).set(auth).send({ note: 'vip' }));
    await sample('POST /api/v1/users/{id}/extend', http().post(`${userPath}/extend`).set(auth).send({ days: 1 }));
    await sample('POST /api/v1/users/{id}/reset-traffic', http().post(`${userPath}/reset-traffic`).set(auth));
    await sample('POST /api/v1/users/{id}/rotate', http().post(`${userPath}/rotate`).set(auth).send({ scope: 'all' }));
    await sample('GET /api/v1/users/{id}/usage', http().get(`${userPath}/usage`).set(auth));

    // Usage, drift, load and the overview.
    await sample('POST /api/v1/usage/collect', http().post('/api/v1/usage/collect').set(auth));
    await sample('GET /api/v1/nodes/{id}/usage', http().get(`/api/v1/nodes/${warsaw}/usage`).set(auth));
    await sample('GET /api/v1/stats/top-users', http().get('/api/v1/stats/top-users').set(auth));
    await sample('GET /api/v1/stats/overview', http().get('/api/v1/stats/overview').set(auth));
    await sample('GET /api/v1/stats/attention', http().get('/api/v1/stats/attention').set(auth));
    await sample('GET /api/v1/nodes/{id}/drift', http().get(`/api/v1/nodes/${warsaw}/drift`).set(auth));
    await sample(
      'POST /api/v1/nodes/{id}/reconcile',
      http().post(`/api/v1/nodes/${warsaw}/reconcile`).set(auth).send({ dryRun: true }),
    );
    await sample('GET /api/v1/balancer/loads', http().get('/api/v1/balancer/loads').set(auth));

    // Jobs: a rebalance's plan (200) and its job (202), a drain (202) and a deletion (202) of nodes with users.
    for (let telegramId = 7100; telegramId < 7106; telegramId++) {
      await http().put(`${keys}/${telegramId}`).set(auth).send({ location: 'Warsaw' }).expect(201);
    }
    const rebalance = (dryRun: boolean) =>
      sample('POST /api/v1/balancer/rebalance', http().post('/api/v1/balancer/rebalance').set(auth).send({ dryRun }));
    await rebalance(true);
    const job = await rebalance(false);
    await sample('GET /api/v1/jobs', http().get('/api/v1/jobs').set(auth));
    await sample('GET /api/v1/jobs/{id}', http().get(`/api/v1/jobs/${job.body.jobId}`).set(auth));
    await sample('POST /api/v1/nodes/{id}/drain', http().post(`/api/v1/nodes/${warsawToo}/drain`).set(auth));
    await sample('DELETE /api/v1/nodes/{id}', http().delete(`/api/v1/nodes/${warsaw}`).set(auth));
    await sample('GET /api/v1/events', http().get('/api/v1/events').set(auth));

    // Deletions, then the admin's own session last.
    await sample('DELETE /api/v1/users/{id}', http().delete(`/api/v1/users/${key.body.userId}`).set(auth));
    await sample('DELETE /api/v1/keys/{telegramId}', http().delete(`${keys}/7100`).set(auth));
    await sample(
      'POST /api/v1/auth/password',
      http()
        .post('/api/v1/auth/password')
        .set(auth)
        .send({ currentPassword: ADMIN.password, newPassword: 'another correct horse' }),
    );
    const changed = await http()
      .post('/api/v1/auth/login')
      .send({ ...ADMIN, password: 'another correct horse' });
    await sample(
      'POST /api/v1/admins/me/password',
      http()
        .post('/api/v1/admins/me/password')
        .set('Authorization', `Bearer ${changed.body.accessToken}`)
        .send({ currentPassword: 'another correct horse', newPassword: 'a third correct horse' }),
    );
    const session = await http()
      .post('/api/v1/auth/login')
      .send({ ...ADMIN, password: 'a third correct horse' });
    await sample(
      'POST /api/v1/auth/refresh',
      http().post('/api/v1/auth/refresh').set('Authorization', `Bearer ${session.body.accessToken}`),
    );
    await sample(
      'POST /api/v1/auth/logout-all',
      http().post('/api/v1/auth/logout-all').set('Authorization', `Bearer ${session.body.accessToken}`),
    );

    expect(problems).toEqual([]);
    const documentedOperations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documentedOperations.filter((operation) => !called.has(operation))).toEqual([]);
  });
});
