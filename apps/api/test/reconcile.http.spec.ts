import { randomBytes, randomUUID } from 'node:crypto';
import { PanelSimulator } from '@fleet/panel-sim';
import {
  checkHealth,
  checkInvariants,
  clientOn,
  eventually,
  operatorCall,
  placeUsers,
  startFleet,
} from './support/fleet';
import { startTestApp, TestApp } from './support/test-app';
import { AppConfig } from '../src/config/app-config';
import { APP_CONFIG } from '../src/config/config.module';
import { ReconcilePassService } from '../src/modules/reconcile/reconcile-pass.service';
import { UsagePassService } from '../src/modules/usage/usage-pass.service';

type Fleet = Awaited<ReturnType<typeof startFleet>>;
type Key = { userId: number; node: { id: number } };

/** An operator's edit in the panel: the client rewritten with some fields changed (the panel's own updateClient). */
function edit(panel: PanelSimulator, email: string, fields: Record<string, unknown>): void {
  const current = clientOn(panel, email)!;
  const outcome = panel.state.updateClient(
    1,
    String(current['id']),
    JSON.stringify({ clients: [{ ...current, ...fields }] }),
    Date.now(),
  );
  expect(outcome).toMatchObject({ success: true });
}

function add(panel: PanelSimulator, email: string): void {
  const client = { id: randomUUID(), email, enable: true, flow: '', limitIp: 0, totalGB: 0, expiryTime: 0 };
  expect(panel.state.addClients(1, JSON.stringify({ clients: [client] }), Date.now())).toMatchObject({ success: true });
}

describe('reconcile: every panel converges to the database (real HTTP, PostgreSQL, simulated panels)', () => {
  let t: TestApp;
  let fleet: Fleet;
  let bot: { Authorization: string };
  const panelOf = (nodeId: number) => fleet.panels[fleet.nodeIds.indexOf(nodeId)];
  const emailOf = (key: Key) => `u${key.userId}-n${key.node.id}`;
  const reconcile = (nodeId: number, body: object = {}) =>
    t.http().post(`/api/v1/nodes/${nodeId}/reconcile`).set(fleet.auth).send(body).expect(200);

  beforeEach(async () => {
    t = await startTestApp({ secretKey: randomBytes(32) });
    fleet = await startFleet(t, [{ node: { maxUsers: 50 } }, { node: { maxUsers: 50 } }]);
    bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
  });
  afterEach(async () => {
    await t.close();
    await fleet.stop();
  });

  it('a panel that agrees has no drift; the operator’s own clients are only counted', async () => {
    const keys = await placeUsers(t, bot, 100, 6);
    const nodeId = keys[0].node.id;
    const panel = panelOf(nodeId);
    const onInbound = (panel.state.clientsOf(panel.state.findInbound(1)!) ?? []).length;
    const foreignBefore = onInbound - keys.filter((k) => k.node.id === nodeId).length;
    const { body } = await reconcile(nodeId);
    expect(body).toMatchObject({ missing: 0, changed: 0, extra: 0, foreign: foreignBefore, sample: [] });
    expect(body.corrected).toEqual({ missing: 0, changed: 0, extra: 0, inbound: [] });
    expect(Date.parse(body.checkedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('repairs what an operator or a lost write changed, and converges: nothing left on the next pass', async () => {
    const keys = (await placeUsers(t, bot, 200, 12)).filter((key, _, all) => key.node.id === all[0].node.id);
    const nodeId = keys[0].node.id;
    const panel = panelOf(nodeId);
    const [gone, disabled, rekeyed, capped, held] = keys;
    await t.http().patch(`/api/v1/users/${capped.userId}/access`).set(fleet.auth).send({ trafficLimitBytes: 5e9 });
    await t.http().patch(`/api/v1/users/${held.userId}/access`).set(fleet.auth).send({ holdDays: 30 });
    const uuid = String(clientOn(panel, emailOf(rekeyed))!['id']);
    expect(panel.state.deleteClient(1, String(clientOn(panel, emailOf(gone))!['id']))).toMatchObject({ success: true });
    edit(panel, emailOf(disabled), { enable: false });
    edit(panel, emailOf(rekeyed), { id: randomUUID() });
    edit(panel, emailOf(capped), { totalGB: 0, operatorTag: 'vip' });
    add(panel, 'u99999-n1'); // a stray with our naming: no user has it
    add(panel, 'operator-test-client'); // the operator's own

    const dry = (await reconcile(nodeId, { dryRun: true })).body;
    const nothing = { missing: 0, changed: 0, extra: 0, inbound: [] };
    // A dry run corrects nothing: all it found remains.
    expect(dry).toMatchObject({ missing: 1, changed: 3, extra: 1, corrected: nothing, dryRun: true });
    expect(dry.found).toEqual({ missing: 1, changed: 3, extra: 1, foreign: dry.foreign, inbound: [] });
    expect(clientOn(panel, emailOf(gone))).toBeUndefined(); // a dry run writes nothing
    expect(dry.sample).toEqual(
      expect.arrayContaining([
        { kind: 'missing', email: emailOf(gone) },
        { kind: 'changed', email: emailOf(disabled), field: 'enable', panel: false, desired: true },
        { kind: 'changed', email: emailOf(rekeyed), field: 'key' },
        { kind: 'changed', email: emailOf(capped), field: 'totalGB', panel: 0, desired: 5e9 },
        { kind: 'extra', email: 'u99999-n1' },
      ]),
    );
    expect(JSON.stringify(dry)).not.toContain(uuid);

    // Repaired: nothing remains, and the pass says what it found and corrected.
    const fixed = (await reconcile(nodeId)).body;
    expect(fixed).toMatchObject({ ...nothing, sample: [], dryRun: false });
    expect(fixed.found).toEqual(dry.found);
    expect(fixed.corrected).toEqual({ missing: 1, changed: 3, extra: 1, inbound: [] });
    const afterRepair = (await t.http().get(`/api/v1/nodes/${nodeId}/drift`).set(fleet.auth).expect(200)).body;
    expect(afterRepair).toEqual(fixed);
    const listed = (await t.http().get('/api/v1/nodes').set(fleet.auth).expect(200)).body;
    const row = (Array.isArray(listed) ? listed : listed.items).find((node: { id: number }) => node.id === nodeId);
    expect(row.drift).toMatchObject(nothing);
    expect(clientOn(panel, emailOf(gone))).toMatchObject({ enable: true });
    expect(clientOn(panel, emailOf(disabled))).toMatchObject({ enable: true });
    expect(clientOn(panel, emailOf(rekeyed))).toMatchObject({ id: uuid });
    expect(clientOn(panel, emailOf(capped))).toMatchObject({ totalGB: 5e9, operatorTag: 'vip' }); // not ours: kept
    expect(clientOn(panel, 'u99999-n1')).toBeUndefined();
    expect(clientOn(panel, 'operator-test-client')).toBeDefined();
    expect(clientOn(panel, emailOf(held))!['expiryTime']).toBe(-30 * 86_400_000);

    const again = (await reconcile(nodeId)).body;
    expect(again).toMatchObject({ ...nothing, found: { ...nothing, foreign: dry.foreign }, corrected: nothing });
    await checkInvariants(t, new Map(fleet.nodeIds.map((id, i) => [id, fleet.panels[i]])));
    const events = await t.dataSource.query(`SELECT payload FROM events WHERE type = 'reconcile.corrected'`);
    expect(events).toEqual([
      {
        payload: expect.objectContaining({
          missing: 1,
          changed: 3,
          extra: 1,
          corrected: 5,
          remaining: { missing: 0, changed: 0, extra: 0 },
        }),
      },
    ]);
  });

  it('what a pass could not correct (over its write budget) remains, named in the sample, until the next pass', async () => {
    const keys = (await placeUsers(t, bot, 250, 8)).filter((key, _, all) => key.node.id === all[0].node.id);
    const nodeId = keys[0].node.id;
    const panel = panelOf(nodeId);
    const wiped = keys.slice(0, 3);
    for (const key of wiped) panel.state.deleteClient(1, String(clientOn(panel, emailOf(key))!['id']));
    t.app.get<AppConfig>(APP_CONFIG).reconcileMaxWrites = 2;
    const first = (await reconcile(nodeId)).body;
    expect(first).toMatchObject({ missing: 1, found: { missing: 3 }, corrected: { missing: 2 } });
    expect(first.sample).toEqual([{ kind: 'missing', email: emailOf(wiped[2]) }]);
    const listed = (await t.http().get('/api/v1/nodes').set(fleet.auth).expect(200)).body;
    const row = (Array.isArray(listed) ? listed : listed.items).find((node: { id: number }) => node.id === nodeId);
    expect(row.drift).toMatchObject({ missing: 1, changed: 0, extra: 0 });
    const second = (await reconcile(nodeId)).body;
    expect(second).toMatchObject({ missing: 0, found: { missing: 1 }, corrected: { missing: 1 }, sample: [] });
    for (const key of wiped) expect(clientOn(panel, emailOf(key))).toBeDefined();
  });

  it('a wiped panel is restored with the same keys', async () => {
    const keys = (await placeUsers(t, bot, 300, 10)).filter((key, _, all) => key.node.id === all[0].node.id);
    const nodeId = keys[0].node.id;
    const panel = panelOf(nodeId);
    const before = new Map(keys.map((key) => [emailOf(key), String(clientOn(panel, emailOf(key))!['id'])]));
    for (const key of keys) panel.state.deleteClient(1, before.get(emailOf(key))!);
    expect((await reconcile(nodeId)).body).toMatchObject({
      missing: 0,
      found: { missing: keys.length },
      corrected: { missing: keys.length },
    });
    for (const key of keys) expect(clientOn(panel, emailOf(key))).toMatchObject({ id: before.get(emailOf(key)) });
  });

  it('never undoes a placement under way: reconciles during a burst of new users delete nothing of theirs', async () => {
    const nodeIds = fleet.nodeIds;
    // Slow panels keep placements pending while reconciles read the same panels.
    for (const panel of fleet.panels) await panel.setFault({ kind: 'none', latencyMs: 30 });
    let stop = false;
    const reconciles = (async () => {
      while (!stop) await Promise.all(nodeIds.map((id) => reconcile(id)));
    })();
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        t
          .http()
          .put(`/api/v1/keys/${400 + i}`)
          .set(bot)
          .send({})
          .expect(201),
      ),
    );
    stop = true;
    await reconciles;
    for (const panel of fleet.panels) await panel.setFault({ kind: 'none' });
    for (const id of nodeIds) await reconcile(id);
    await checkInvariants(t, new Map(nodeIds.map((id, i) => [id, fleet.panels[i]])));
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM assignments WHERE state = 'active'`);
    expect(n).toBe(30);
  });

  it('a restored panel is repaired before its node serves again', async () => {
    const [key] = await placeUsers(t, bot, 600, 1);
    const panel = panelOf(key.node.id);
    const other = fleet.nodeIds.find((id) => id !== key.node.id)!;
    await t.http().patch(`/api/v1/nodes/${other}`).set(fleet.auth).send({ status: 'maintenance' }).expect(200);
    await panel.setFault({ kind: 'refuse' });
    for (let i = 0; i < 3; i++) await checkHealth(t, fleet.auth, key.node.id);
    // Reinstalled from an old backup while away: the client is gone.
    panel.state.deleteClient(1, String(clientOn(panel, emailOf(key))!['id']));
    await panel.setFault({ kind: 'none' });
    await checkHealth(t, fleet.auth, key.node.id, 2);
    expect(clientOn(panel, emailOf(key))).toMatchObject({ enable: true });
  });

  it('a client whose placement is still under way is neither missing nor extra', async () => {
    const [key] = await placeUsers(t, bot, 500, 1);
    // As if the control plane had stopped between creating the client and switching to it.
    await t.dataSource.query(`UPDATE assignments SET state = 'pending' WHERE user_id = $1`, [key.userId]);
    expect((await reconcile(key.node.id)).body).toMatchObject({
      missing: 0,
      extra: 0,
      found: { missing: 0, extra: 0 },
      corrected: { missing: 0, extra: 0 },
    });
    expect(clientOn(panelOf(key.node.id), emailOf(key))).toBeDefined();
  });

  it('follows an inbound the operator changed; an inbound that cannot serve fails the node and its users move', async () => {
    const keys = await placeUsers(t, bot, 300, 6);
    const nodeId = keys[0].node.id;
    const panel = panelOf(nodeId);
    const editInbound = async (changes: Record<string, unknown>) => {
      const { clientStats: _stats, id: _id, tag: _tag, ...whole } = panel.state.view(panel.state.findInbound(1)!, null);
      expect(await operatorCall(panel, 'panel/api/inbounds/update/1', { ...whole, ...changes })).toMatchObject({
        success: true,
      });
    };
    const oldPort = panel.state.findInbound(1)!.port;
    await editInbound({ port: 23456 });
    const { body } = await reconcile(nodeId);
    // Taken as it is now: nothing remains, the sample is empty; what was found says what changed.
    expect(body).toMatchObject({ inbound: [], missing: 0, changed: 0, extra: 0, sample: [] });
    expect(body).toMatchObject({ found: { inbound: ['port'] }, corrected: { inbound: ['port'], missing: 0 } });
    const dry = (await reconcile(nodeId, { dryRun: true })).body;
    expect(dry).toMatchObject({ inbound: [], found: { inbound: [] } });
    const onNode = keys.find((key) => key.node.id === nodeId)!;
    const key = (
      await t
        .http()
        .get(`/api/v1/keys/${300 + keys.indexOf(onNode)}`)
        .set(bot)
        .expect(200)
    ).body;
    expect(key.key).toContain(':23456');
    expect((await reconcile(nodeId)).body).toMatchObject({ inbound: [], corrected: { inbound: [] } });

    // Disabled by the operator: reported, the node fails its checks and its users are moved as in failover.
    await editInbound({ enable: false });
    const refused = await t.http().post(`/api/v1/nodes/${nodeId}/reconcile`).set(fleet.auth).send({}).expect(409);
    expect(refused.body.message.join(' ')).toContain('disabled');
    const drift = (await t.http().get(`/api/v1/nodes/${nodeId}/drift`).set(fleet.auth).expect(200)).body;
    expect(drift).toMatchObject({ inbound: ['enable'], sample: [{ kind: 'inbound', field: 'enable' }] });
    const node = (await t.http().get(`/api/v1/nodes/${nodeId}`).set(fleet.auth).expect(200)).body;
    expect(node.drift).toMatchObject({ inbound: ['enable'] });
    await checkHealth(t, fleet.auth, nodeId, 3);
    const after = (await t.http().get(`/api/v1/nodes/${nodeId}`).set(fleet.auth).expect(200)).body;
    expect(after).toMatchObject({ healthStatus: 'unhealthy', eligible: false });
    expect(after.lastError).toContain('disabled on the panel');
    const moved = await eventually(
      async () => (await t.http().get(`/api/v1/nodes/${nodeId}`).set(fleet.auth).expect(200)).body.currentUsers,
      (users) => users === 0,
    );
    expect(moved).toBe(0);
    const metrics = (await t.http().get('/metrics').set(fleet.auth).expect(200)).text;
    expect(metrics).toMatch(new RegExp(`fleet_node_drift\\{node_id="\\d+",node="[^"]+",kind="inbound"\\} 1`));
  });

  it('the scheduled pass reuses what the usage pass just read: one inbounds/list per node, and still repairs', async () => {
    const keys = await placeUsers(t, bot, 400, 4);
    const nodeId = keys[0].node.id;
    const panel = panelOf(nodeId);
    await t.app.get(UsagePassService).run(true);
    panel.state.deleteClient(1, String(clientOn(panel, emailOf(keys[0]))!['id'])); // after the usage pass read it
    const lists = () => fleet.panels.map((each) => each.calls.get('list') ?? 0);
    const before = lists();
    expect(await t.app.get(ReconcilePassService).run(true)).toMatchObject({ ran: true, nodes: 2 });
    expect(lists()).toEqual(before); // no second read
    // What changed after that read is caught by the next pass, which reads the panel again.
    expect(clientOn(panel, emailOf(keys[0]))).toBeUndefined();
    expect(await t.app.get(ReconcilePassService).run(true)).toMatchObject({ ran: true, corrected: 1 });
    expect(lists()).toEqual(before.map((count) => count + 1));
    expect(clientOn(panel, emailOf(keys[0]))).toBeDefined();
  });

  it('refuses bad input, unknown nodes, strangers and the wrong roles', async () => {
    const nodeId = fleet.nodeIds[0];
    await t.http().post(`/api/v1/nodes/${nodeId}/reconcile`).set(fleet.auth).send({ dryRun: 'yes' }).expect(400);
    await t.http().post(`/api/v1/nodes/${nodeId}/reconcile`).set(fleet.auth).send({ other: 1 }).expect(400);
    await t.http().post('/api/v1/nodes/0/reconcile').set(fleet.auth).send({}).expect(400);
    await t.http().post('/api/v1/nodes/999999/reconcile').set(fleet.auth).send({}).expect(404);
    await t.http().get('/api/v1/nodes/999999/drift').set(fleet.auth).expect(404);
    await t.http().get(`/api/v1/nodes/${nodeId}/drift`).expect(401);
    await t.http().post(`/api/v1/nodes/${nodeId}/reconcile`).set({ Authorization: 'Bearer x' }).send({}).expect(401);
    const viewer = { Authorization: `Bearer ${await t.tokenFor('viewer')}` };
    // Reconciled when it turned healthy, before it took users.
    expect((await t.http().get(`/api/v1/nodes/${nodeId}/drift`).set(viewer).expect(200)).body).toMatchObject({
      checkedAt: expect.any(String),
      missing: 0,
    });
    await t.http().post(`/api/v1/nodes/${nodeId}/reconcile`).set(viewer).send({}).expect(403);
    await t.http().post(`/api/v1/nodes/${nodeId}/reconcile`).set(bot).send({}).expect(403);
    await panelOf(nodeId).setFault({ kind: 'refuse' });
    const { body } = await t.http().post(`/api/v1/nodes/${nodeId}/reconcile`).set(fleet.auth).send({}).expect(502);
    expect(body.code).toBe('NODE_UNREACHABLE');
  });
});
