import { Writable } from 'node:stream';
import { PanelSimulator } from '@fleet/panel-sim';
import { carriesSecret } from '@fleet/testing';
import { ClassifiedPanelErrors1764810000000 } from '../src/common/database/migrations/1764810000000-classified-panel-errors';
import { createLogger } from '../src/common/logging/logger';
import { checkHealth } from './support/fleet';
import { nodeBody, startTestApp, TestApp } from './support/test-app';

const PANEL_PASSWORD = 'panel-pass-Secret-42';
const PANEL_TOKEN = 'panel-api-token-Secret-43';
/** What a viewer may read about a failed panel call. */
const REASONS = /^(timeout|refused|unreachable|auth failed|bad response|rejected by the panel|panel said: [a-zA-Z ]+)$/;

describe('panel errors: viewers get a classified reason, admins a scrubbed excerpt, credentials go nowhere', () => {
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
    t = await startTestApp({ env: { LOG_LEVEL: 'debug' }, logger: createLogger('debug', sink) });
    admin = { Authorization: `Bearer ${await t.adminToken()}` };
    viewer = { Authorization: `Bearer ${await t.tokenFor('viewer')}` };
  });
  afterAll(() => t.close());

  const addNode = async (panel: PanelSimulator, fields: Record<string, unknown> = {}) =>
    (
      await t
        .http()
        .post('/api/v1/nodes')
        .set(admin)
        .send(
          nodeBody({ panelUrl: panel.url, panelUsername: panel.username, panelPassword: panel.password, ...fields }),
        )
        .expect(201)
    ).body.id as number;

  /** A node whose first check, the one that follows its creation, is recorded (nothing else checks it unasked). */
  const addCheckedNode = async (panel: PanelSimulator) => {
    const nodeId = await addNode(panel);
    while (
      !(await t.dataSource.query(`SELECT 1 FROM nodes WHERE id = $1 AND last_health_check IS NOT NULL`, [nodeId]))
        .length
    )
      await new Promise((resolve) => setTimeout(resolve, 20));
    return nodeId;
  };

  /** Everything a viewer can read about a node, and what the database keeps of its failures. */
  const viewerSees = async (nodeId: number) => ({
    node: (await t.http().get(`/api/v1/nodes/${nodeId}`).set(viewer).expect(200)).body,
    text: [
      (await t.http().get(`/api/v1/nodes/${nodeId}`).set(viewer).expect(200)).text,
      (await t.http().get('/api/v1/nodes').set(viewer).expect(200)).text,
      (await t.http().get(`/api/v1/nodes/${nodeId}/health`).set(viewer).expect(200)).text,
      (await t.http().get('/api/v1/events?limit=500').set(viewer).expect(200)).text,
    ].join('\n'),
    stored: JSON.stringify([
      await t.dataSource.query(`SELECT last_error FROM nodes WHERE id = $1`, [nodeId]),
      await t.dataSource.query(`SELECT error FROM health_checks WHERE node_id = $1`, [nodeId]),
      await t.dataSource.query(`SELECT payload FROM events WHERE node_id = $1`, [nodeId]),
    ]),
  });

  it.each(['base64', 'upper', 'plain'] as const)(
    'a panel echoing the request (%s) leaks neither its API token nor its password anywhere',
    async (echo) => {
      // A v3 panel spoken to with an API token (every request carries it), and a v2.8 panel logged in with a password.
      const withToken = await new PanelSimulator({
        version: '3.0.2',
        password: PANEL_PASSWORD,
        apiTokens: [{ token: PANEL_TOKEN, scope: 'admin' }],
      }).start();
      const withPassword = await new PanelSimulator({ password: PANEL_PASSWORD }).start();
      try {
        const nodes = [
          await addNode(withToken, { panelApiToken: PANEL_TOKEN }),
          await addNode(withPassword, { panelApiToken: null }),
        ];
        for (const panel of [withToken, withPassword]) await panel.setFault({ kind: 'echo', echo });
        const adminSaw: string[] = [];
        for (const nodeId of nodes) {
          for (let i = 0; i < 3; i++) {
            adminSaw.push((await t.http().post(`/api/v1/nodes/${nodeId}/check-health`).set(admin).expect(200)).text);
          }
          adminSaw.push((await t.http().post(`/api/v1/nodes/${nodeId}/test-connection`).set(admin).expect(200)).text);
        }
        for (const nodeId of nodes) {
          const seen = await viewerSees(nodeId);
          expect(seen.node.healthStatus).toBe('unhealthy');
          expect(seen.node.lastError).toMatch(REASONS);
          for (const where of [seen.text, seen.stored, logs.join(''), adminSaw.join('\n')]) {
            expect(carriesSecret(where, PANEL_TOKEN)).toBe(false);
            expect(carriesSecret(where, PANEL_PASSWORD)).toBe(false);
          }
        }
        // Admins do get what the panel said, scrubbed and cut to a fixed size.
        const checked = JSON.parse(adminSaw[0]) as { error: string; detail: string };
        expect(checked.error).toMatch(REASONS);
        expect(checked.detail).toContain('the panel said: Something went wrong (');
        expect(checked.detail.length).toBeLessThanOrEqual(300 + 200 + 40);
      } finally {
        await withToken.stop();
        await withPassword.stop();
      }
    },
  );

  it('each kind of failure has its reason: timeout, refused, auth failed, bad response, panel said', async () => {
    const panel = await new PanelSimulator({ tag: 'reasons' }).start();
    try {
      const nodeId = await addCheckedNode(panel);
      const reasonAfter = async (fault: Parameters<PanelSimulator['setFault']>[0]) => {
        await panel.setFault(fault);
        // Wrong credentials only show at the next login: sessions end (no renewal), so end them now.
        if (fault.kind === 'bad-credentials') await panel.setFault({ kind: 'expire-sessions' });
        await checkHealth(t, admin, nodeId);
        return (await viewerSees(nodeId)).node.lastError as string;
      };
      expect(await reasonAfter({ kind: 'refuse' })).toBe('refused');
      expect(await reasonAfter({ kind: 'hang' })).toBe('timeout');
      expect(await reasonAfter({ kind: 'bad-credentials' })).toBe('auth failed');
      expect(await reasonAfter({ kind: 'http500' })).toBe('bad response');
      expect(await reasonAfter({ kind: 'xray-error' })).toBe('xray is error');
      await panel.setFault({ kind: 'none' });
      await t.http().patch(`/api/v1/nodes/${nodeId}`).set(admin).send({ inboundId: 42 }).expect(200);
      await checkHealth(t, admin, nodeId);
      expect((await viewerSees(nodeId)).node.lastError).toBe('panel said: record not found');
      const { body } = await t.http().post(`/api/v1/nodes/${nodeId}/check-health`).set(admin).expect(200);
      expect(body.detail).toMatch(
        /^not-found: .* getInbound: panel said: record not found; the panel said: Obtain \(record not found\)$/,
      );
    } finally {
      await panel.stop();
    }
  });

  it('errors recorded before they were classified are classified on upgrade, the panel text gone', async () => {
    const panel = await new PanelSimulator({ tag: 'upgrade' }).start();
    try {
      const nodeId = await addCheckedNode(panel);
      const leaked = Buffer.from(`Authorization: Bearer ${PANEL_TOKEN}`).toString('base64');
      const old = [
        `rejected: n1 serverStatus: ${leaked}`,
        'unreachable: connect failed: ECONNREFUSED',
        'unreachable: n1 listInbounds: GET panel/api/inbounds/list: timed out after 4000 ms',
        `auth-failed: n1 login: echo ${PANEL_PASSWORD.toUpperCase()}`,
        'protocol: n1 serverStatus: HTTP 500 with an empty body',
        `xray is error: Failed to start: ${leaked}`,
        "2 moved users' clients not deleted yet",
      ];
      await t.dataSource.query(`UPDATE nodes SET last_error = $2 WHERE id = $1`, [nodeId, old[0]]);
      for (const error of old) {
        await t.dataSource.query(
          `INSERT INTO health_checks (node_id, ok, health_status, error) VALUES ($1, false, 'unhealthy', $2)`,
          [nodeId, error],
        );
      }
      await t.dataSource.query(
        `INSERT INTO events (type, node_id, actor, payload) VALUES ('node.down', $1, 'system:health', $2)`,
        [nodeId, { name: 'n1', error: old[3] }],
      );
      const runner = t.dataSource.createQueryRunner();
      await new ClassifiedPanelErrors1764810000000().up(runner);
      await runner.release();

      const seen = await viewerSees(nodeId);
      expect(seen.node.lastError).toBe('rejected by the panel');
      const history = (await t.http().get(`/api/v1/nodes/${nodeId}/health`).set(viewer).expect(200)).body;
      expect(
        history
          .map((check: { error: string }) => check.error)
          .filter(Boolean)
          .reverse(),
      ).toEqual([
        'rejected by the panel',
        'refused',
        'timeout',
        'auth failed',
        'bad response',
        'xray is error',
        "2 moved users' clients not deleted yet",
      ]);
      expect(carriesSecret(`${seen.text}\n${seen.stored}`, PANEL_TOKEN)).toBe(false);
      expect(carriesSecret(`${seen.text}\n${seen.stored}`, PANEL_PASSWORD)).toBe(false);
    } finally {
      await panel.stop();
    }
  });
});
