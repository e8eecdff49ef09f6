import { randomBytes, randomUUID } from 'node:crypto';
import { PanelSimulator, REALISTIC_WRITE_COST } from '@fleet/panel-sim';
import { TombstonesService } from '../src/modules/assignments/tombstones.service';
import { checkInvariants } from './support/fleet';
import { nodeBody, startTestApp, TestApp } from './support/test-app';

/** The UUID of a vless share link: what the user's client on the panel must carry. */
const uuidOf = (key: string) => /^vless:\/\/([0-9a-f-]{36})@/.exec(key)![1];

describe('two replicas writing to one panel (real HTTP, one PostgreSQL, a v2.8 panel with its write cost)', () => {
  let first: TestApp;
  let second: TestApp;
  let panel: PanelSimulator;
  let nodeId: number;

  beforeAll(async () => {
    const secretKey = randomBytes(32); // replicas share SECRET_KEY, or they could not read the panel password
    first = await startTestApp({ secretKey });
    second = await startTestApp({ databaseUrl: first.databaseUrl, secretKey });
    // A v2.8 panel loses one of two overlapping writes (read-modify-write of the inbound, no lock).
    panel = await new PanelSimulator({ tag: 'replicas', writeCost: REALISTIC_WRITE_COST }).start();
    // An operator's 10,000 clients on another inbound: each write costs what it does on such a panel (≈ 125 ms).
    const operators = Array.from({ length: 10_000 }, (_, i) => ({ id: randomUUID(), email: `operator-${i}` }));
    panel.state.addClients(2, JSON.stringify({ clients: operators }), Date.now());
    const admin = { Authorization: `Bearer ${await first.adminToken()}` };
    const { body } = await first
      .http()
      .post('/api/v1/nodes')
      .set(admin)
      .send(
        nodeBody({
          panelUrl: panel.url,
          panelUsername: panel.username,
          panelPassword: panel.password,
          maxUsers: 10_000,
        }),
      )
      .expect(201);
    nodeId = body.id;
    await first.http().post(`/api/v1/nodes/${nodeId}/check-health`).set(admin).expect(200);
  });
  afterAll(async () => {
    await second.stop();
    await first.close();
    await panel.stop();
  });

  it('every 201 from PUT /keys/:telegramId on either replica has its client on the panel', async () => {
    const bot = `Bearer ${await first.tokenFor('bot')}`; // tokens live in the shared database
    const replicas = [first, second];
    const responses = await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        replicas[i % 2]
          .http()
          .put(`/api/v1/keys/${700_000 + i}`)
          .set('Authorization', bot)
          .send({}),
      ),
    );
    const created = responses.filter((response) => response.status === 201);
    expect(created).toHaveLength(400);
    const onPanel = new Set(
      (panel.state.clientsOf(panel.state.findInbound(1)!) ?? []).map((client) => String(client['id'])),
    );
    const missing = created.filter((response) => !onPanel.has(uuidOf(response.body.key)));
    expect(missing.map((response) => response.body.telegramId)).toEqual([]);
    expect(panel.overlappingWrites).toBe(0); // the lock kept the replicas' writes apart, not only the read-back
    await checkInvariants(first, new Map([[nodeId, panel]]));
  });

  it('placements, access changes and deletions from both replicas at once never overlap on the panel', async () => {
    const bot = `Bearer ${await first.tokenFor('bot')}`;
    const call =
      (app: TestApp) =>
      (method: 'put' | 'patch' | 'delete', path: string, body: object = {}) =>
        app.http()[method](`/api/v1/keys/${path}`).set('Authorization', bot).send(body);
    const [one, two] = [call(first), call(second)];
    const results = await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => one('delete', `${700_000 + i}`)),
      ...Array.from({ length: 40 }, (_, i) => two('patch', `${700_100 + i}/access`, { enabled: false })),
      ...Array.from({ length: 40 }, (_, i) => (i % 2 ? one : two)('put', `${800_000 + i}`)),
    ]);
    expect(results.map((response) => response.status)).toEqual([
      ...Array(40).fill(204),
      ...Array(40).fill(200),
      ...Array(40).fill(201),
    ]);
    await first.app.get(TombstonesService).runDue();
    const clients = panel.state.clientsOf(panel.state.findInbound(1)!) ?? [];
    const byId = new Map(clients.map((client) => [String(client['id']), client]));
    for (const created of results.slice(80)) expect(byId.has(uuidOf(created.body.key))).toBe(true);
    const disabled = clients.filter((client) => client['enable'] === false);
    expect(disabled).toHaveLength(40);
    expect(clients.filter((client) => /^u\d+-n\d+$/.test(String(client.email)))).toHaveLength(400 - 40 + 40);
    expect(panel.overlappingWrites).toBe(0);
    await checkInvariants(first, new Map([[nodeId, panel]]));
  });
});
