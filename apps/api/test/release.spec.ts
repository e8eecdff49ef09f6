import { randomUUID } from 'node:crypto';
import { PanelSimulator } from '@fleet/panel-sim';
import { departureOf, MoveEngine } from '../src/modules/assignments/move-engine.service';
import type { Departure } from '../src/modules/assignments/move.types';
import { RecoveryService } from '../src/modules/assignments/recovery.service';
import { TombstonesService } from '../src/modules/assignments/tombstones.service';
import { AssignmentsRepository } from '../src/modules/assignments/assignments.repository';
import { UsagePassService } from '../src/modules/usage/usage-pass.service';
import { checkInvariants, eventually, fleetEmails, placeUsers, startFleet } from './support/fleet';
import { startTestApp, TestApp } from './support/test-app';

type Fleet = Awaited<ReturnType<typeof startFleet>>;
type Key = { userId: number; node: { id: number } };

/**
 * The one way to leave a node, called directly on the real engine (PostgreSQL, simulated panels): the row released
 * or cancelled, its seat back exactly once, a tombstone in the same transaction; carried out, the client's last
 * counters are booked and it leaves its panel; a panel away keeps the tombstone for the loop; releasing again changes
 * nothing.
 */
describe('MoveEngine.release: leaving a node (PostgreSQL, simulated panels)', () => {
  let t: TestApp;
  let fleet: Fleet;
  let bot: { Authorization: string };
  let engine: MoveEngine;
  const byNode = () => new Map(fleet.nodeIds.map((id, i) => [id, fleet.panels[i]] as [number, PanelSimulator]));
  const panelOf = (nodeId: number) => fleet.panels[fleet.nodeIds.indexOf(nodeId)];
  const emailOf = (key: Key, nodeId = key.node.id) => `u${key.userId}-n${nodeId}`;
  const otherNode = (key: Key) => fleet.nodeIds.filter((id) => id !== key.node.id)[0];
  const traffic = (key: Key, up: number, down: number) =>
    panelOf(key.node.id).state.recordTraffic([{ email: emailOf(key), up, down }]);
  const usagePass = () => t.app.get(UsagePassService).run(true);
  const bookedOf = async (telegramId: number) =>
    (await t.http().get(`/api/v1/keys/${telegramId}/usage`).set(bot).expect(200)).body.total;
  const seats = async () =>
    (await t.dataSource.query(`SELECT id, current_users FROM nodes ORDER BY id`)).map(
      (row: { current_users: number }) => row.current_users,
    );
  const rowsOf = async (userId: number): Promise<Array<{ state: string; node_id: number }>> =>
    t.dataSource.query(`SELECT state, node_id FROM assignments WHERE user_id = $1 ORDER BY id`, [userId]);
  const tombstones = async (): Promise<Array<{ client_email: string; reason: string; attempts: number }>> =>
    t.dataSource.query(`SELECT client_email, reason, attempts FROM panel_tombstones ORDER BY id`);
  /** The user's live assignments, as departures (the way a caller hands them to `release`). */
  const departuresOf = async (userId: number): Promise<Departure[]> => {
    const [{ uuid }] = await t.dataSource.query(`SELECT uuid FROM vpn_users WHERE id = $1`, [userId]);
    const live = await t.app.get(AssignmentsRepository).liveOf([userId]);
    return live.map((row) => departureOf(row, uuid));
  };

  beforeEach(async () => {
    // The tombstone loop runs only when a test kicks it: what leaves a panel, and when, is each test's doing.
    t = await startTestApp({ env: { BACKGROUND_TICK_MS: '600000' } });
    fleet = await startFleet(t, [{ node: { maxUsers: 10 } }, { node: { maxUsers: 10 } }]);
    bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
    engine = t.app.get(MoveEngine);
  });
  afterEach(async () => {
    await t.close();
    await fleet.stop();
  });

  it('an active assignment: released, its seat back once, a tombstone with the reason; carried out, the last counters booked and the client gone', async () => {
    const [key] = await placeUsers(t, bot, 101, 1);
    traffic(key, 100, 100);
    await usagePass();
    traffic(key, 40, 60); // since the last pass: booked only if read before the client goes
    const before = await seats();

    const leaving = await engine.release(await departuresOf(key.userId), 'manual');

    expect(leaving.departed.map((departure) => departure.clientEmail)).toEqual([emailOf(key)]);
    expect(await rowsOf(key.userId)).toEqual([{ state: 'released', node_id: key.node.id }]);
    expect(await seats()).toEqual(before.map((n: number, i: number) => (fleet.nodeIds[i] === key.node.id ? n - 1 : n)));
    expect(await tombstones()).toEqual([{ client_email: emailOf(key), reason: 'manual', attempts: 0 }]);
    expect(fleetEmails(panelOf(key.node.id))).toEqual([emailOf(key)]); // nothing leaves a panel before the commit

    expect([...(await leaving.carryOut())]).toEqual([emailOf(key)]);
    expect(fleetEmails(panelOf(key.node.id))).toEqual([]);
    expect(await tombstones()).toEqual([]);
    expect(await bookedOf(101)).toEqual({ up: 140, down: 160 });
    await checkInvariants(t, byNode());
  });

  it('a panel that does not answer keeps the tombstone; a later run carries it out and books what the client carried', async () => {
    const [key] = await placeUsers(t, bot, 201, 1);
    traffic(key, 10, 20);
    await usagePass();
    traffic(key, 5, 5);
    const leaving = await engine.release(await departuresOf(key.userId), 'failover');
    await panelOf(key.node.id).setFault({ kind: 'refuse' });

    expect([...(await leaving.carryOut())]).toEqual([]);
    expect(await rowsOf(key.userId)).toEqual([{ state: 'released', node_id: key.node.id }]);
    expect(await tombstones()).toEqual([{ client_email: emailOf(key), reason: 'failover', attempts: 1 }]);
    await checkInvariants(t, byNode()); // the client still on its panel, under a tombstone

    await panelOf(key.node.id).setFault({ kind: 'none' });
    // What the node's own run does when it answers again (the loop waits a while after a failure).
    const { cleaned } = await t.app.get(TombstonesService).runDue({ nodeId: key.node.id });
    expect([...cleaned]).toEqual([emailOf(key)]);
    expect(fleetEmails(panelOf(key.node.id))).toEqual([]);
    expect(await tombstones()).toEqual([]);
    expect(await bookedOf(201)).toEqual({ up: 15, down: 25 });
    await checkInvariants(t, byNode());
  });

  it('a crash after the commit: the tombstone loop carries out what carryOut never did', async () => {
    const [key] = await placeUsers(t, bot, 301, 1);
    traffic(key, 7, 3);
    await usagePass();
    traffic(key, 1, 2);
    await engine.release(await departuresOf(key.userId), 'rebalance'); // carryOut never called

    t.app.get(RecoveryService).kickTombstones();
    expect(
      await eventually(
        async () => (await tombstones()).length,
        (n) => n === 0,
      ),
    ).toBe(0);
    expect(fleetEmails(panelOf(key.node.id))).toEqual([]);
    expect(await bookedOf(301)).toEqual({ up: 8, down: 5 });
    await checkInvariants(t, byNode());
  });

  it('in the caller’s transaction: nothing leaves when it rolls back', async () => {
    const [key] = await placeUsers(t, bot, 401, 1);
    const departures = await departuresOf(key.userId);
    const before = await seats();
    await expect(
      t.dataSource.transaction(async (manager) => {
        await engine.release(departures, 'deleted', manager);
        throw new Error('the caller fails after the release');
      }),
    ).rejects.toThrow('the caller fails');
    expect(await rowsOf(key.userId)).toEqual([{ state: 'active', node_id: key.node.id }]);
    expect(await seats()).toEqual(before);
    expect(await tombstones()).toEqual([]);
    await checkInvariants(t, byNode());
  });

  it('idempotent: the same departures released again (a retry) give no seat back and tombstone nothing', async () => {
    const users = await placeUsers(t, bot, 501, 5);
    const leavers = users.slice(0, 3); // the others keep seats taken, so a seat given back twice would show
    const departures = (await Promise.all(leavers.map((key) => departuresOf(key.userId)))).flat();
    const before = await seats();
    const first = await engine.release(departures, 'drain');
    expect(first.departed).toHaveLength(3);
    const after = await seats();
    expect(after).toEqual(
      before.map((n: number, i: number) => n - leavers.filter((key) => key.node.id === fleet.nodeIds[i]).length),
    );

    const again = await engine.release(departures, 'drain');
    expect(again.departed).toEqual([]);
    expect(await seats()).toEqual(after);
    expect(await tombstones()).toHaveLength(3);
    expect(await again.carryOut()).toEqual(new Set());

    await first.carryOut();
    const late = await engine.release(departures, 'drain'); // after the clients are gone
    expect(late.departed).toEqual([]);
    expect(await seats()).toEqual(after);
    expect(await tombstones()).toEqual([]);
    for (const key of leavers) expect(await rowsOf(key.userId)).toEqual([{ state: 'released', node_id: key.node.id }]);
    expect(after.reduce((sum: number, n: number) => sum + n, 0)).toBe(2);
    await checkInvariants(t, byNode());
  });

  it('a move under way (pending row) is cancelled: the row gone, the target seat back, the client it may get tombstoned', async () => {
    const [key] = await placeUsers(t, bot, 601, 1);
    const target = otherNode(key);
    const [outcome] = await engine.reserve([{ kind: 'move', userId: key.userId, toNodeId: target }]);
    expect(outcome.kind).toBe('reserved');
    expect(await rowsOf(key.userId)).toEqual([
      { state: 'active', node_id: key.node.id },
      { state: 'pending', node_id: target },
    ]);
    expect(await seats()).toEqual([1, 1]);

    const leaving = await engine.release(await departuresOf(key.userId), 'deleted');
    expect(leaving.departed).toHaveLength(2);
    expect(await rowsOf(key.userId)).toEqual([{ state: 'released', node_id: key.node.id }]);
    expect(await seats()).toEqual([0, 0]);
    expect((await tombstones()).map((row) => row.client_email).sort()).toEqual(
      [emailOf(key), emailOf(key, target)].sort(),
    );
    expect((await leaving.carryOut()).size).toBe(2); // the target never got its client: gone counts as removed
    expect(await tombstones()).toEqual([]);
    await checkInvariants(t, byNode());
  });

  it('a client no row holds (a stray on the panel) is tombstoned and removed; no seat changes', async () => {
    const [key] = await placeUsers(t, bot, 701, 1);
    const nodeId = otherNode(key);
    const stray = `u${key.userId}-n${nodeId}`;
    panelOf(nodeId).state.addClients(
      1,
      JSON.stringify({ clients: [{ id: randomUUID(), email: stray, enable: true, totalGB: 0, expiryTime: 0 }] }),
      Date.now(),
    );
    const before = await seats();
    const leaving = await engine.release([{ nodeId, inboundId: 1, clientEmail: stray, clientUuid: null }], 'reconcile');
    expect(leaving.departed).toHaveLength(1);
    expect(await tombstones()).toEqual([{ client_email: stray, reason: 'reconcile', attempts: 0 }]);
    expect([...(await leaving.carryOut())]).toEqual([stray]);
    expect(fleetEmails(panelOf(nodeId))).toEqual([]);
    expect(await seats()).toEqual(before);
    expect(await rowsOf(key.userId)).toEqual([{ state: 'active', node_id: key.node.id }]);
    await checkInvariants(t, byNode());
  });

  it('a user deleted while a switch of its move commits: the deletion waits for it and releases the new row, not the old', async () => {
    const [key] = await placeUsers(t, bot, 801, 1);
    const target = otherNode(key);
    const [outcome] = await engine.reserve([{ kind: 'move', userId: key.userId, toNodeId: target }]);
    if (outcome.kind !== 'reserved' || !outcome.reservation.from) throw new Error('the move was not reserved');
    const { pending, from } = outcome.reservation;
    // A switch under way: the rows locked, the old client leaving, the new row active, not committed yet.
    const runner = t.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    const assignments = t.app.get(AssignmentsRepository);
    await assignments.lockStates([from.id, pending.id], runner.manager);
    await engine.release([departureOf(from, null)], 'manual', runner.manager);
    await assignments.activate([pending.id], runner.manager);

    const deleting = t
      .http()
      .delete(`/api/v1/users/${key.userId}`)
      .set(fleet.auth)
      .then((response) => response);
    const waiting = async () =>
      (
        await t.dataSource.query(`SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'`)
      )[0].n as number;
    expect(await eventually(waiting, (n) => n > 0)).toBeGreaterThan(0); // the deletion waits on the rows
    await runner.commitTransaction();
    await runner.release();
    expect((await deleting).status).toBe(204);

    expect(await rowsOf(key.userId)).toEqual([
      { state: 'released', node_id: key.node.id },
      { state: 'released', node_id: target },
    ]);
    expect(await seats()).toEqual([0, 0]);
    // The new client's tombstone was carried out by the deletion; the old one's waits for whoever switched.
    expect(await tombstones()).toEqual([{ client_email: emailOf(key), reason: 'manual', attempts: 0 }]);
    await checkInvariants(t, byNode());
  });
});
