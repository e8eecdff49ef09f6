import { randomUUID } from 'node:crypto';
import { PanelSimulator } from '@fleet/panel-sim';
import { checkInvariants, clientOn } from './support/fleet';
import { addPanelsAsNodes } from './support/process';
import { processFleet } from './support/process-fleet';
import { prng, seedFrom } from './support/prng';

const STEPS = 100;
const OURS = /^u\d+-n\d+$/;

/**
 * Control-plane operations (placements, access and plan changes, moves, rotations, deletions; users hold 1–3 seats:
 * panels 0–1 serve the group `default`, panels 2 and 3 one group each) interleaved with tampering
 * through the panels (clients deleted, disabled, re-keyed, limits changed, strays with our naming, the operator's
 * own clients, an inbound emptied but one, the inbound's port changed), faults (refused, hung, 5xx at a rate, expired
 * sessions) and SIGKILL of the control plane. Then the faults stop and one reconcile per node runs: no drift is
 * left, every user's client is on exactly its node with the desired fields, no tombstoned or stray client anywhere,
 * the operator's clients untouched, every link on the inbound's port as it is now.
 */
describe('reconcile chaos: tampering, faults and crashes, then one pass converges (built app, SIGKILL)', () => {
  const seed = seedFrom('RECONCILE_CHAOS_SEED');
  const { next: random, pick } = prng(seed);
  const fleet = processFleet('chaos', 4, {
    HEALTH_INTERVAL_MS: '0',
    USAGE_INTERVAL_MS: '0',
    ACCESS_INTERVAL_MS: '0',
    RECONCILE_INTERVAL_MS: '0',
    PANEL_TIMEOUT_MS: '1500', // a hung panel costs a step this long
    HEALTH_TIMEOUT_MS: '1500',
  });
  beforeAll(() =>
    console.log(`reconcile chaos seed: ${seed} (replay with RECONCILE_CHAOS_SEED=${seed}), ${STEPS} steps`),
  );

  const ourClients = (panel: PanelSimulator) =>
    (panel.state.clientsOf(panel.state.findInbound(1)!) ?? []).filter((client) => OURS.test(String(client.email)));
  const foreignClients = (panel: PanelSimulator) =>
    (panel.state.clientsOf(panel.state.findInbound(1)!) ?? []).filter((client) => !OURS.test(String(client.email)));
  const rewrite = (panel: PanelSimulator, client: Record<string, unknown>, fields: Record<string, unknown>) =>
    panel.state.updateClient(
      1,
      String(client['id']),
      JSON.stringify({ clients: [{ ...client, ...fields }] }),
      Date.now(),
    );
  const addRaw = (panel: PanelSimulator, email: string) =>
    panel.state.addClients(
      1,
      JSON.stringify({ clients: [{ id: randomUUID(), email, enable: true, flow: '', totalGB: 0, expiryTime: 0 }] }),
      Date.now(),
    );

  it('converges to zero drift', async () => {
    let { api, auth } = await fleet.boot();
    const { panels, dataSource } = fleet;
    const [{ id: main }] = (await api.get('/api/v1/groups').set(auth).expect(200)).body;
    const groupIds = [main];
    for (const name of ['Germany', 'Netherlands'])
      groupIds.push((await api.post('/api/v1/groups').set(auth).send({ name }).expect(201)).body.id);
    const nodeIds = [
      ...(await addPanelsAsNodes(api, auth, panels.slice(0, 2), 'chaos', { maxUsers: 40 })),
      ...(await addPanelsAsNodes(api, auth, [panels[2]], 'chaos-de', { maxUsers: 40, groupId: groupIds[1] })),
      ...(await addPanelsAsNodes(api, auth, [panels[3]], 'chaos-nl', { maxUsers: 40, groupId: groupIds[2] })),
    ];
    const panelOf = (nodeId: number) => panels[nodeIds.indexOf(nodeId)];
    const randomPlan = () => {
      const plan = groupIds.filter(() => random() < 0.5);
      return plan.length ? plan : [pick(groupIds)];
    };
    let telegramId = 9000;
    for (let i = 0; i < 12; i++) {
      const { userId } = (await api.put(`/api/v1/keys/${telegramId++}`).set(auth).send({})).body;
      await api.patch(`/api/v1/users/${userId}/access`).set(auth).send({ groups: randomPlan() });
    }
    const users = async (): Promise<Array<{ id: number; node: { id: number } | null }>> =>
      (await api.get('/api/v1/users?limit=100').set(auth)).body.items ?? [];
    const log: string[] = [];

    for (let step = 0; step < STEPS; step++) {
      const action = pick([
        'place',
        'access',
        'access',
        'plan',
        'move',
        'rotate',
        'delete',
        'tamper-delete',
        'tamper-disable',
        'tamper-key',
        'tamper-limits',
        'tamper-stray',
        'tamper-foreign',
        'tamper-empty',
        'tamper-port',
        'fault',
        'kill',
      ]);
      log.push(action);
      const someone = async () => {
        const all = (await users()).filter((user) => user.node);
        return all.length ? pick(all) : null;
      };
      const panel = pick(panels);
      const ours = ourClients(panel);
      if (action === 'place') {
        await api.put(`/api/v1/keys/${telegramId++}`).set(auth).send({});
      } else if (action === 'access') {
        const user = await someone();
        const change = pick([
          { enabled: false },
          { enabled: true },
          { trafficLimitBytes: 5e9 },
          { trafficLimitBytes: 0 },
          { expiresAt: new Date(Date.now() + 86_400_000 * (1 + Math.floor(random() * 30))).toISOString() },
          { expiresAt: null },
          { deviceLimit: Math.floor(random() * 4) },
        ]);
        if (user) await api.patch(`/api/v1/users/${user.id}/access`).set(auth).send(change);
      } else if (action === 'plan') {
        const user = await someone();
        if (user) await api.patch(`/api/v1/users/${user.id}/access`).set(auth).send({ groups: randomPlan() });
      } else if (action === 'move') {
        const user = await someone();
        const target = pick(nodeIds.slice(0, 2).filter((id) => id !== user?.node?.id));
        if (user) await api.post(`/api/v1/users/${user.id}/migrate`).set(auth).send({ nodeId: target });
      } else if (action === 'rotate') {
        const user = await someone();
        if (user) await api.post(`/api/v1/users/${user.id}/rotate`).set(auth);
      } else if (action === 'delete') {
        const user = await someone();
        if (user) await api.delete(`/api/v1/users/${user.id}`).set(auth);
      } else if (action === 'tamper-delete' && ours.length) {
        panel.state.deleteClient(1, String(pick(ours)['id']));
      } else if (action === 'tamper-disable' && ours.length) {
        rewrite(panel, pick(ours), { enable: false });
      } else if (action === 'tamper-key' && ours.length) {
        rewrite(panel, pick(ours), { id: randomUUID() });
      } else if (action === 'tamper-limits' && ours.length) {
        rewrite(panel, pick(ours), { totalGB: Math.floor(random() * 1e9), expiryTime: Date.now() + 3_600_000 });
      } else if (action === 'tamper-stray') {
        addRaw(panel, `u${900_000 + step}-n${nodeIds[panels.indexOf(panel)]}`);
      } else if (action === 'tamper-foreign') {
        addRaw(panel, `operator-${step}`);
      } else if (action === 'tamper-empty') {
        // Everything in the inbound but one client (a panel refuses to delete the last).
        const all = panel.state.clientsOf(panel.state.findInbound(1)!) ?? [];
        for (const client of all.slice(1)) panel.state.deleteClient(1, String(client['id']));
      } else if (action === 'tamper-port') {
        // The operator moves the inbound to another port (the panel's own inbound update, whole inbound sent).
        const {
          clientStats: _stats,
          id: _id,
          tag: _tag,
          ...whole
        } = panel.state.view(panel.state.findInbound(1)!, null);
        panel.state.updateInbound(1, { ...whole, port: 30_000 + step } as Parameters<
          typeof panel.state.updateInbound
        >[1]);
      } else if (action === 'fault') {
        await panel.setFault(
          pick([{ kind: 'refuse' }, { kind: 'hang' }, { kind: 'http500', rate: 0.5 }, { kind: 'expire-sessions' }]),
        );
      } else if (action === 'kill') {
        await fleet.kill();
        ({ api, auth } = await fleet.boot());
      }
      // Faults are short: the next step finds the panel answering again (at most one is broken at a time).
      if (action !== 'fault') for (const each of panels) await each.setFault({ kind: 'none' });
    }

    // The faults stop. Nodes that fell are brought back; then one reconcile per node.
    for (const each of panels) await each.setFault({ kind: 'none' });
    for (const nodeId of nodeIds) {
      for (let i = 0; i < 2; i++) await api.post(`/api/v1/nodes/${nodeId}/check-health`).set(auth).expect(200);
    }
    const foreignBefore = panels.map((each) => JSON.stringify(foreignClients(each)));
    const none = { missing: 0, changed: 0, extra: 0, inbound: [], sample: [] };
    for (const nodeId of nodeIds) {
      // What the repair says remains is what a dry run finds right after: nothing.
      const { body } = await api.post(`/api/v1/nodes/${nodeId}/reconcile`).set(auth).send({}).expect(200);
      expect(body).toMatchObject(none);
    }
    console.log(`chaos steps: ${log.join(' ')}`);

    for (const nodeId of nodeIds) {
      const { body } = await api.post(`/api/v1/nodes/${nodeId}/reconcile`).set(auth).send({ dryRun: true }).expect(200);
      const { missing, changed, extra, inbound, sample } = body;
      expect({ nodeId, missing, changed, extra, inbound, sample }).toEqual({
        nodeId,
        missing: 0,
        changed: 0,
        extra: 0,
        inbound: [],
        sample: [],
      });
    }
    expect(panels.map((each) => JSON.stringify(foreignClients(each)))).toEqual(foreignBefore); // untouched
    const [{ n: tombstones }] = await dataSource.query(`SELECT count(*)::int AS n FROM panel_tombstones`);
    expect(tombstones).toBe(0);
    await checkInvariants({ dataSource }, new Map(nodeIds.map((id, i) => [id, panels[i]])));
    // Every user's client carries their current key; deleted users' and rotated-away keys are nowhere.
    const active: Array<{ node_id: number; client_email: string; uuid: string }> = await dataSource.query(
      `SELECT a.node_id, a.client_email, u.uuid FROM assignments a JOIN vpn_users u ON u.id = a.user_id
        WHERE a.state = 'active'`,
    );
    for (const row of active) expect(clientOn(panelOf(row.node_id), row.client_email)).toMatchObject({ id: row.uuid });
    // Links follow the inbound's port as it is now.
    for (const [i, nodeId] of nodeIds.entries()) {
      const port = panels[i].state.findInbound(1)!.port;
      const [node] = await dataSource.query(
        `SELECT (inbound_snapshot->>'port')::int AS port FROM nodes WHERE id = $1`,
        [nodeId],
      );
      expect({ nodeId, port: node.port }).toEqual({ nodeId, port });
      const [someone] = await dataSource.query(
        `SELECT u.telegram_id::text AS telegram_id FROM assignments a JOIN vpn_users u ON u.id = a.user_id
          WHERE a.node_id = $1 AND a.state = 'active' AND u.telegram_id IS NOT NULL LIMIT 1`,
        [nodeId],
      );
      if (someone) {
        const { body } = await api.get(`/api/v1/keys/${someone.telegram_id}`).set(auth).expect(200);
        const seat = body.keys.find((each: { node: { id: number } }) => each.node.id === nodeId);
        expect(seat.key).toContain(`:${port}`);
      }
    }
    const current = new Set(active.map((row) => row.uuid));
    for (const each of panels)
      for (const client of ourClients(each)) expect(current.has(String(client['id']))).toBe(true);
  }, 240_000);
});
