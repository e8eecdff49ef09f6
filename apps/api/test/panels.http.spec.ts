import { PanelSimulator } from '@fleet/panel-sim';
import { nodeBody, startTestApp, TestApp } from './support/test-app';

describe('POST /api/v1/nodes/:id/test-connection (real HTTP, simulated panel over a socket)', () => {
  let t: TestApp;
  let panel: PanelSimulator;
  let auth: { Authorization: string };

  beforeAll(async () => {
    t = await startTestApp();
    panel = await new PanelSimulator({ tag: 'api' }).start();
    auth = { Authorization: `Bearer ${await t.adminToken()}` };
  });
  afterAll(async () => {
    await panel.stop();
    await t.close();
  });

  const createNode = async (overrides: Record<string, unknown> = {}) =>
    (
      await t
        .http()
        .post('/api/v1/nodes')
        .set(auth)
        .send(
          nodeBody({ panelUrl: panel.url, panelUsername: panel.username, panelPassword: panel.password, ...overrides }),
        )
        .expect(201)
    ).body as { id: number };

  it('logs in, lists the inbounds and reports the time it took', async () => {
    const node = await createNode();
    const { body } = await t.http().post(`/api/v1/nodes/${node.id}/test-connection`).set(auth).expect(200);
    expect(body.ok).toBe(true);
    expect(body.responseTimeMs).toBeGreaterThanOrEqual(0);
    expect(body.inbounds).toHaveLength(5);
    expect(body.inbounds[0]).toEqual({ id: 1, protocol: 'vless', port: 443, remark: 'vless-reality', enable: true });
  });

  it('speaks a v3.1 panel with the node’s API token (no login)', async () => {
    const v31 = await new PanelSimulator({
      version: '3.1.0',
      apiTokens: [{ token: 'v31-token', scope: 'admin' }],
    }).start();
    try {
      const node = await createNode({
        panelUrl: v31.url,
        panelPassword: 'unused-with-a-token',
        panelApiToken: 'v31-token',
      });
      const { body } = await t.http().post(`/api/v1/nodes/${node.id}/test-connection`).set(auth).expect(200);
      expect(body.ok).toBe(true);
      expect(body.inbounds).toHaveLength(5);
      expect(v31.calls.get('login')).toBeUndefined();
    } finally {
      await v31.stop();
    }
  });

  it('reports wrong credentials readably, without the password', async () => {
    const node = await createNode({ panelPassword: 'definitely-wrong' });
    const { body } = await t.http().post(`/api/v1/nodes/${node.id}/test-connection`).set(auth).expect(200);
    expect(body).toMatchObject({ ok: false, inbounds: [] });
    expect(body.error).toMatch(/^auth-failed: .*login refused$/);
    expect(body.panelText).toBe('Invalid username or password or two-factor code.');
    expect(JSON.stringify(body)).not.toContain('definitely-wrong');
  });

  it('reports a refusing panel as unreachable', async () => {
    const node = await createNode();
    await panel.setFault({ kind: 'refuse' });
    try {
      const { body } = await t.http().post(`/api/v1/nodes/${node.id}/test-connection`).set(auth).expect(200);
      expect(body.ok).toBe(false);
      expect(body.error).toMatch(/^unreachable: .*ECONNREFUSED/);
    } finally {
      await panel.setFault({ kind: 'none' });
    }
  });

  it('reports a 500 from the panel as a protocol error', async () => {
    const node = await createNode();
    await panel.setFault({ kind: 'http500' });
    try {
      const { body } = await t.http().post(`/api/v1/nodes/${node.id}/test-connection`).set(auth).expect(200);
      expect(body.error).toMatch(/^protocol: /);
    } finally {
      await panel.setFault({ kind: 'none' });
    }
  });

  it('uses the new password after an update', async () => {
    const node = await createNode({ panelPassword: 'old-wrong-password' });
    await t.http().patch(`/api/v1/nodes/${node.id}`).set(auth).send({ panelPassword: panel.password }).expect(200);
    const { body } = await t.http().post(`/api/v1/nodes/${node.id}/test-connection`).set(auth).expect(200);
    expect(body.ok).toBe(true);
  });

  it('answers 404 for an unknown node, 400 for a bad id, 403 for a viewer and 401 without credentials', async () => {
    await t.http().post('/api/v1/nodes/424242/test-connection').set(auth).expect(404);
    await t.http().post('/api/v1/nodes/x/test-connection').set(auth).expect(400);
    const node = await createNode();
    await t
      .http()
      .post(`/api/v1/nodes/${node.id}/test-connection`)
      .set('Authorization', `Bearer ${await t.tokenFor('viewer')}`)
      .expect(403);
    await t.http().post(`/api/v1/nodes/${node.id}/test-connection`).expect(401);
  });
});

describe('POST /api/v1/nodes/test-connection: a panel tried before it is saved', () => {
  let t: TestApp;
  let panel: PanelSimulator;
  let auth: { Authorization: string };
  const tryPanel = (body: Record<string, unknown>) =>
    t.http().post('/api/v1/nodes/test-connection').set(auth).send(body);

  beforeAll(async () => {
    t = await startTestApp();
    panel = await new PanelSimulator({ tag: 'unsaved' }).start();
    auth = { Authorization: `Bearer ${await t.adminToken()}` };
  });
  afterAll(async () => {
    await panel.stop();
    await t.close();
  });

  it('lists its inbounds, stores nothing, and reports wrong credentials and a refusing panel readably', async () => {
    const good = { panelUrl: panel.url, panelUsername: panel.username, panelPassword: panel.password };
    const { body } = await tryPanel(good).expect(200);
    expect(body).toMatchObject({ ok: true, inbounds: expect.arrayContaining([expect.objectContaining({ id: 1 })]) });
    expect(body.inbounds).toHaveLength(5);
    expect(await t.dataSource.query('SELECT id FROM nodes')).toEqual([]);

    const wrong = (await tryPanel({ ...good, panelPassword: 'not-the-password' }).expect(200)).body;
    expect(wrong).toMatchObject({ ok: false, inbounds: [], error: expect.stringMatching(/^auth-failed: /) });
    expect(JSON.stringify(wrong)).not.toContain('not-the-password');

    await panel.setFault({ kind: 'refuse' });
    try {
      expect((await tryPanel(good).expect(200)).body.error).toMatch(/^unreachable: /);
    } finally {
      await panel.setFault({ kind: 'none' });
    }
  });

  it('refuses bad input naming the field, viewers (403) and strangers (401)', async () => {
    const good = { panelUrl: panel.url, panelUsername: panel.username, panelPassword: panel.password };
    for (const [bad, field] of [
      [{ ...good, panelUrl: undefined }, 'panelUrl'],
      [{ ...good, panelUrl: 'ftp://x' }, 'panelUrl'],
      [{ ...good, panelUrl: 'https://admin:pw@panel.example.com/' }, 'panelUrl'],
      [{ ...good, panelPassword: 'a\u0000b' }, 'panelPassword'],
      [{ ...good, panelUsername: 7 }, 'panelUsername'],
      [{ ...good, tlsVerify: 'yes' }, 'tlsVerify'],
    ] as const) {
      const { body } = await tryPanel(bad).expect(400);
      expect(body.message.join(' ')).toContain(field);
    }
    await t
      .http()
      .post('/api/v1/nodes/test-connection')
      .set('Authorization', `Bearer ${await t.tokenFor('viewer')}`)
      .send(good)
      .expect(403);
    await t.http().post('/api/v1/nodes/test-connection').send(good).expect(401);
  });
});
