import { PanelSimulator } from '@fleet/panel-sim';
import {
  checkHealth,
  checkInvariants,
  eventually,
  fleetEmails,
  patchNodes,
  placeUsers,
  startFleet,
} from './support/fleet';
import { startTestApp, TestApp } from './support/test-app';

type Fleet = Awaited<ReturnType<typeof startFleet>>;

/**
 * Groups bound where seats go (real HTTP, PostgreSQL, simulated panels): new users only in the groups marked for
 * them; a seat moves only within its node's group, for a manual move, a node's deletion and a failover, which waits
 * (and says so) when its group is full although another group has room.
 */
describe('node groups bound placement and moves', () => {
  let t: TestApp;
  let fleet: Fleet;
  let bot: { Authorization: string };
  let home: number;
  let spare: number;
  let abroad: number;
  const byNode = () => new Map(fleet.nodeIds.map((id, i) => [id, fleet.panels[i]] as [number, PanelSimulator]));
  const activeNodes = async () =>
    (await t.dataSource.query(`SELECT node_id FROM assignments WHERE state = 'active' ORDER BY user_id`)).map(
      (row: { node_id: number }) => row.node_id,
    );

  beforeEach(async () => {
    t = await startTestApp({ env: { BACKGROUND_TICK_MS: '100', JOB_CONCURRENCY: '2' } });
    fleet = await startFleet(t, [{ node: { maxUsers: 20 } }, { node: { maxUsers: 20 } }, { node: { maxUsers: 20 } }]);
    [home, spare, abroad] = fleet.nodeIds;
    bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
    const germany = await t
      .http()
      .post('/api/v1/groups')
      .set(fleet.auth)
      .send({ name: 'Germany', countryCode: 'DE' })
      .expect(201);
    await patchNodes(t, fleet.auth, [abroad], { groupId: germany.body.id });
  });
  afterEach(async () => {
    await t.close();
    await fleet.stop();
  });

  it('places new users only in the groups that take them', async () => {
    await placeUsers(t, bot, 500, 6);
    const nodes = await activeNodes();
    expect(nodes).toHaveLength(6);
    expect(nodes).not.toContain(abroad);
    expect(fleetEmails(fleet.panels[2])).toEqual([]);
  });

  it('refuses a manual move to another group’s node, naming the group', async () => {
    const [key] = await placeUsers(t, bot, 510, 1);
    const refused = await t
      .http()
      .post(`/api/v1/users/${key.userId}/migrate`)
      .set(fleet.auth)
      .send({ nodeId: abroad })
      .expect(409);
    expect(refused.body.message.join(' ')).toMatch(/another group/);
    expect(await activeNodes()).toEqual([key.node.id]);
  });

  it('keeps a node whose group has no room for its users, although another group has', async () => {
    await patchNodes(t, fleet.auth, [spare], { status: 'maintenance' });
    await placeUsers(t, bot, 520, 3);
    const refused = await t.http().delete(`/api/v1/nodes/${home}`).set(fleet.auth).expect(409);
    expect(refused.body.message.join(' ')).toMatch(/of its group have 0 free seats/);
    expect(await activeNodes()).toEqual([home, home, home]);
  });

  it('a failover stays in the group: it waits, and says so, while the group is full; then moves there only', async () => {
    await patchNodes(t, fleet.auth, [spare], { status: 'maintenance' });
    await placeUsers(t, bot, 530, 4);
    await fleet.panels[0].setFault({ kind: 'refuse' });
    await checkHealth(t, fleet.auth, home, 3);
    const stalls = () => t.dataSource.query(`SELECT payload FROM events WHERE type = 'failover.stalled'`);
    await eventually(stalls, (rows: unknown[]) => rows.length === 1, 15_000);
    expect(await activeNodes()).toEqual([home, home, home, home]);

    await patchNodes(t, fleet.auth, [spare], { status: 'active' });
    const [job] = (await t.http().get('/api/v1/jobs').set(fleet.auth).expect(200)).body.items;
    await eventually(
      async () => (await t.http().get(`/api/v1/jobs/${job.id}`).set(fleet.auth).expect(200)).body,
      (view: { status: string }) => view.status === 'completed',
      20_000,
    );
    expect(await activeNodes()).toEqual([spare, spare, spare, spare]);
    expect(fleetEmails(fleet.panels[2])).toEqual([]);
    await checkInvariants(t, new Map([...byNode()].filter(([id]) => id !== home)));
  });
});
