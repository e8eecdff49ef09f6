import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createLogger } from '../src/common/logging/logger';
import { checkHealth } from './support/fleet';
import { nodeBody, startTestApp, TestApp } from './support/test-app';

const PANEL_PASSWORD = 'panel-pass-Secret-42';
const PANEL_TOKEN = 'panel-api-token-Secret-43';

/** Answers every request by repeating it: what a mistyped panel URL may point at. */
async function startEcho(mode: 'text' | 'json'): Promise<{ url: string; stop(): Promise<void> }> {
  const server: Server = createServer((incoming, response) => {
    let body = '';
    incoming.on('data', (chunk) => (body += chunk));
    incoming.on('end', () => {
      const echo = `${incoming.method} ${incoming.url}\n${JSON.stringify(incoming.headers)}\n${body}`;
      if (mode === 'json') {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ success: false, msg: `Something went wrong (${echo})`, obj: null }));
      } else {
        response.writeHead(200, { 'Content-Type': 'text/plain' }).end(echo);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('secrets stay out of logs and views', () => {
  let t: TestApp;
  const logs: string[] = [];
  let admin: { Authorization: string };
  let viewer: { Authorization: string };

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    t = await startTestApp({ env: { LOG_LEVEL: 'info', TRUST_PROXY: 'loopback' }, logger: createLogger('info', sink) });
    admin = { Authorization: `Bearer ${await t.adminToken()}` };
    viewer = { Authorization: `Bearer ${await t.tokenFor('viewer')}` };
  });
  afterAll(() => t.close());

  it('never logs a subscription token', async () => {
    const token = 'AbCdEfGhIjKlMnOpQrStUvWxYz012345';
    await request(t.url).get(`/sub/${token}`).expect(404);
    await request(t.url).get(`/sub/${token}?x=1`).expect(404);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const text = logs.join('');
    expect(text).toContain('/sub/[redacted]');
    expect(text).not.toContain(token);
  });

  it('keeps an impostor panel reply (echoing our credentials) out of node views, health history and events', async () => {
    for (const mode of ['text', 'json'] as const) {
      const echo = await startEcho(mode);
      try {
        const { body: node } = await t
          .http()
          .post('/api/v1/nodes')
          .set(admin)
          .send(nodeBody({ panelUrl: echo.url, panelPassword: PANEL_PASSWORD, panelApiToken: null }))
          .expect(201);
        const test = await t.http().post(`/api/v1/nodes/${node.id}/test-connection`).set(admin).expect(200);
        expect(test.body.ok).toBe(false);
        await checkHealth(t, admin, node.id, 3);
        const withToken = await t
          .http()
          .post('/api/v1/nodes')
          .set(admin)
          .send(nodeBody({ panelUrl: echo.url, panelPassword: PANEL_PASSWORD, panelApiToken: PANEL_TOKEN }))
          .expect(201);
        await checkHealth(t, admin, withToken.body.id, 3);

        const seen = [
          test.text,
          (await t.http().get(`/api/v1/nodes/${node.id}`).set(viewer).expect(200)).text,
          (await t.http().get(`/api/v1/nodes/${node.id}/health`).set(viewer).expect(200)).text,
          (await t.http().get(`/api/v1/nodes/${withToken.body.id}/health`).set(viewer).expect(200)).text,
          (await t.http().get('/api/v1/nodes').set(viewer).expect(200)).text,
          (await t.http().get('/api/v1/events?limit=500').set(viewer).expect(200)).text,
        ].join('\n');
        expect(seen).toContain('unhealthy');
        expect(seen).not.toContain(PANEL_PASSWORD);
        expect(seen).not.toContain(encodeURIComponent(PANEL_PASSWORD));
        expect(seen).not.toContain(PANEL_TOKEN);
        expect(logs.join('')).not.toContain(PANEL_PASSWORD);
      } finally {
        await echo.stop();
      }
    }
  });

  it('refuses credentials inside panelUrl and never shows them', async () => {
    const response = await t
      .http()
      .post('/api/v1/nodes')
      .set(admin)
      .send(nodeBody({ panelUrl: 'https://admin:hunter22@panel.example.com:2053/x/' }))
      .expect(400);
    expect(response.body.message.join(' ')).toContain('panelUrl must not carry credentials');
    const { body: node } = await t.http().post('/api/v1/nodes').set(admin).send(nodeBody()).expect(201);
    await t.http().patch(`/api/v1/nodes/${node.id}`).set(admin).send({ panelUrl: 'http://u@h.example/' }).expect(400);
    // A row written before the rule existed.
    await t.dataSource.query(`UPDATE nodes SET panel_url = 'https://admin:hunter22@old.example.com/p/' WHERE id = $1`, [
      node.id,
    ]);
    const view = (await t.http().get(`/api/v1/nodes/${node.id}`).set(viewer).expect(200)).body;
    expect(view.panelUrl).toBe('https://old.example.com/p/');
  });

  it('sends security headers on the API and the docs, and HSTS only over HTTPS', async () => {
    const api = await t.http().get('/api/v1/nodes').set(admin).expect(200);
    expect(api.headers['content-security-policy']).toContain("default-src 'self'");
    expect(api.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(api.headers['content-security-policy']).not.toContain('unsafe-eval');
    expect(api.headers['x-content-type-options']).toBe('nosniff');
    expect(api.headers['x-frame-options']).toBe('DENY');
    expect(api.headers['referrer-policy']).toBe('no-referrer');
    expect(api.headers['strict-transport-security']).toBeUndefined();
    const overHttps = await t.http().get('/healthz').set('X-Forwarded-Proto', 'https').expect(200);
    expect(overHttps.headers['strict-transport-security']).toContain('max-age=31536000');
    const docs = await t.http().get('/api/docs/').expect(200);
    expect(docs.headers['content-security-policy']).toContain("script-src 'self' 'unsafe-inline'");
  });
});

describe('a subscription fetch with request logs off (LOG_LEVEL=error)', () => {
  it('still logs a failed fetch, without its token, and answers every fetch with a request id', async () => {
    const logs: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    const t = await startTestApp({ env: { LOG_LEVEL: 'error' }, logger: createLogger('error', sink) });
    const token = 'ZyXwVuTsRqPoNmLkJiHgFeDcBa987654';
    try {
      const unknown = await request(t.url).get(`/sub/${token}`).expect(404);
      expect(unknown.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      await t.dataSource.query('ALTER TABLE vpn_users RENAME COLUMN note TO note_renamed');
      try {
        const failed = await request(t.url).get(`/sub/${token}`).expect(500);
        expect(failed.body.code).toBe('INTERNAL');
      } finally {
        await t.dataSource.query('ALTER TABLE vpn_users RENAME COLUMN note_renamed TO note');
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      const lines = logs.join('').trim().split('\n');
      expect(lines).toHaveLength(1); // the failure; the 404 is below the level
      expect(JSON.parse(lines[0])).toMatchObject({ level: 50, msg: 'subscription fetch failed' });
      expect(lines[0]).toContain('note');
      expect(lines[0]).not.toContain(token);
    } finally {
      await t.close();
    }
  });
});
