import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/common/database/data-source.options';
import { migrateDatabase } from '../src/common/database/migrate';
import { MIGRATIONS } from '../src/common/database/migrations';
import { decodeCursors } from '../src/modules/usage/node-counters';
import { createTestDatabase } from './support/test-database';

const TABLES = [
  'access_rechecks',
  'admins',
  'alert_latches',
  'api_tokens',
  'assignments',
  'events',
  'health_checks',
  'health_sweeps',
  'idempotency_keys',
  'job_items',
  'jobs',
  'login_throttle',
  'node_drift',
  'node_groups',
  'node_usage_hourly',
  'nodes',
  'outbox',
  'outbox_subjects',
  'panel_tombstones',
  'seat_waits',
  'task_runs',
  'usage_daily',
  'usage_hourly',
  'usage_node_cursors',
  'usage_top_users',
  'user_count_changes',
  'user_counts',
  'user_devices',
  'vpn_users',
];

async function tables(dataSource: DataSource): Promise<string[]> {
  const rows = await dataSource.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY 1`,
  );
  return rows.map((row: { table_name: string }) => row.table_name);
}

describe('migrations (real PostgreSQL)', () => {
  let database: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;

  beforeEach(async () => {
    database = await createTestDatabase();
    dataSource = new DataSource(dataSourceOptions(database.url, 4));
  });
  afterEach(async () => {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.drop();
  });

  it('goes up, all the way down, and up again', async () => {
    expect(await migrateDatabase(database.url)).toHaveLength(MIGRATIONS.length);
    await dataSource.initialize();
    expect(await tables(dataSource)).toEqual(TABLES);

    for (let i = 0; i < MIGRATIONS.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await tables(dataSource)).toEqual([]);

    expect(await migrateDatabase(database.url)).toHaveLength(MIGRATIONS.length);
    expect(await tables(dataSource)).toEqual(TABLES);
    expect(await migrateDatabase(database.url)).toEqual([]);
  });

  it('carries per-client usage cursors into per-node rows and back', async () => {
    await migrateDatabase(database.url);
    await dataSource.initialize();
    const backToPerClient = async () => {
      while (!(await tables(dataSource)).includes('usage_cursors')) {
        await dataSource.undoLastMigration({ transaction: 'each' });
      }
    };
    await backToPerClient();
    const [node] = await dataSource.query(
      `INSERT INTO nodes (name, panel_url, panel_username, panel_password) VALUES ('n1', 'http://p', 'u', 'x') RETURNING id`,
    );
    const [limited, free] = await dataSource.query(
      `INSERT INTO vpn_users (telegram_id, uuid, subscription_token, traffic_limit_bytes)
       VALUES (1, gen_random_uuid(), 't1', 1000), (2, gen_random_uuid(), 't2', 0) RETURNING id`,
    );
    await dataSource.query(
      `INSERT INTO usage_cursors (node_id, client_email, user_id, traffic_id, up, down, all_time, updated_at)
       VALUES ($1, 'a', $2, 7, 10, 20, 40, '2026-01-02T03:04:05.678Z'), ($1, 'b', $3, NULL, 0, 0, NULL, now())`,
      [node.id, limited.id, free.id],
    );
    await migrateDatabase(database.url);
    const [row] = await dataSource.query(`SELECT clients::text AS clients FROM usage_node_cursors`);
    const cursors = decodeCursors(row.clients);
    // [userId, trafficId, up, down, allTime, movedAt]
    expect(cursors.get('a')).toEqual([limited.id, 7, 10, 20, 40, Date.parse('2026-01-02T03:04:05.678Z')]);
    expect(cursors.get('b')).toMatchObject([free.id, null, 0, 0, null, expect.any(Number)]);

    await backToPerClient();
    const back = await dataSource.query(
      `SELECT client_email, traffic_id::int, up::int, down::int, all_time::int, updated_at FROM usage_cursors ORDER BY 1`,
    );
    expect(back[0]).toMatchObject({ client_email: 'a', traffic_id: 7, up: 10, down: 20, all_time: 40 });
    expect(new Date(back[0].updated_at).toISOString()).toBe('2026-01-02T03:04:05.678Z');
    expect(back[1]).toMatchObject({ client_email: 'b', traffic_id: null, up: 0 });
  });

  it('settles the bytes that waited in the node cursors into their hourly rows and totals, and back', async () => {
    await migrateDatabase(database.url);
    await dataSource.initialize();
    const hasPendingSince = async () =>
      (
        await dataSource.query(
          `SELECT 1 FROM information_schema.columns
            WHERE table_name = 'usage_node_cursors' AND column_name = 'pending_since'`,
        )
      ).length > 0;
    while (!(await hasPendingSince())) await dataSource.undoLastMigration({ transaction: 'each' });
    const [node] = await dataSource.query(
      `INSERT INTO nodes (name, panel_url, panel_username, panel_password, usage_multiplier)
       VALUES ('n1', 'http://p', 'u', 'x', 2) RETURNING id`,
    );
    // A user counted only when settled, one counted at every booking (with a limit), one whose period started after
    // the bytes began to wait.
    const users = await dataSource.query(
      `INSERT INTO vpn_users (telegram_id, uuid, subscription_token, traffic_limit_bytes, used_bytes, used_up_bytes,
                              period_start)
       VALUES (1, gen_random_uuid(), 't1', 0, 5, 1, NULL), (2, gen_random_uuid(), 't2', 100, 30, 10, NULL),
              (3, gen_random_uuid(), 't3', 0, 0, 0, '2026-01-02T05:00:00Z')
       RETURNING id`,
    );
    const [a, b, c] = users.map((user: { id: number }) => user.id);
    const clients = {
      'u-a': [a, 1, 10, 20, null, 1, 0, 3, 4],
      'u-b': [b, 2, 10, 20, null, 1, 1, 10, 20],
      'u-c': [c, 3, 1, 1, null, 1, 0, 1, 1],
      operator: [null, 4, 5, 5, null, 1, 0, 0, 0],
    };
    await dataSource.query(
      `INSERT INTO usage_node_cursors (node_id, clients, pending_since) VALUES ($1, $2, '2026-01-02T03:04:05Z')`,
      [node.id, JSON.stringify(clients)],
    );
    await migrateDatabase(database.url);
    const hourly = await dataSource.query(
      `SELECT user_id, hour, up::int, down::int FROM usage_hourly ORDER BY user_id`,
    );
    expect(hourly).toEqual([
      { user_id: a, hour: new Date('2026-01-02T03:00:00Z'), up: 3, down: 4 },
      { user_id: b, hour: new Date('2026-01-02T03:00:00Z'), up: 10, down: 20 },
      { user_id: c, hour: new Date('2026-01-02T03:00:00Z'), up: 1, down: 1 },
    ]);
    const totals = await dataSource.query(`SELECT used_bytes::int, used_up_bytes::int FROM vpn_users ORDER BY id`);
    expect(totals).toEqual([
      { used_bytes: 5 + 2 * 7, used_up_bytes: 1 + 2 * 3 }, // × the node's multiplier
      { used_bytes: 30, used_up_bytes: 10 }, // in its total already
      { used_bytes: 0, used_up_bytes: 0 }, // before its period
    ]);
    const [row] = await dataSource.query(`SELECT clients::text AS clients FROM usage_node_cursors`);
    expect(JSON.parse(row.clients)).toEqual({
      'u-a': [a, 1, 10, 20, null, 1],
      'u-b': [b, 2, 10, 20, null, 1],
      'u-c': [c, 3, 1, 1, null, 1],
      operator: [null, 4, 5, 5, null, 1],
    });

    while (!(await hasPendingSince())) await dataSource.undoLastMigration({ transaction: 'each' });
    const [back] = await dataSource.query(`SELECT clients::text AS clients, pending_since FROM usage_node_cursors`);
    expect(JSON.parse(back.clients)).toMatchObject({
      'u-a': [a, 1, 10, 20, null, 1, 0, 0, 0],
      'u-b': [b, 2, 10, 20, null, 1, 1, 0, 0],
    });
    expect(back.pending_since).toBeNull();
  });

  it('keeps what remains after each node’s last reconcile, with what it found and corrected, and back', async () => {
    await migrateDatabase(database.url);
    await dataSource.initialize();
    const hasFound = async () =>
      (
        await dataSource.query(
          `SELECT 1 FROM information_schema.columns WHERE table_name = 'node_drift' AND column_name = 'found'`,
        )
      ).length > 0;
    while (await hasFound()) await dataSource.undoLastMigration({ transaction: 'each' });
    const nodes = await dataSource.query(
      `INSERT INTO nodes (name, panel_url, panel_username, panel_password)
       SELECT 'n' || g, 'http://p', 'u', 'x' FROM generate_series(1, 3) g RETURNING id`,
    );
    // Repaired in full, repaired in part, a dry run.
    await dataSource.query(
      `INSERT INTO node_drift (node_id, checked_at, missing, extra, changed, "foreign", corrected, dry_run, sample, inbound)
       VALUES ($1, now(), 1, 1, 2, 4, 5, false, '[{"kind": "missing", "email": "a"}]', '["port"]'),
              ($2, now(), 3, 0, 0, 0, 2, false, '[{"kind": "missing", "email": "b"}]', '[]'),
              ($3, now(), 1, 0, 0, 0, 0, true, '[{"kind": "missing", "email": "c"}]', '[]')`,
      nodes.map((node: { id: number }) => node.id),
    );
    await migrateDatabase(database.url);
    const rows = await dataSource.query(
      `SELECT missing, extra, changed, "foreign", inbound, found, corrected, sample FROM node_drift ORDER BY node_id`,
    );
    const none = { missing: 0, extra: 0, changed: 0, inbound: [] };
    expect(rows[0]).toEqual({
      ...none,
      foreign: 4,
      sample: [],
      found: { missing: 1, extra: 1, changed: 2, foreign: 4, inbound: ['port'] },
      corrected: { missing: 1, extra: 1, changed: 2, inbound: ['port'] },
    });
    expect(rows[1]).toMatchObject({ missing: 3, found: { missing: 3 }, corrected: none });
    expect(rows[2]).toMatchObject({ missing: 1, found: { missing: 1 }, corrected: none });

    while (await hasFound()) await dataSource.undoLastMigration({ transaction: 'each' });
    const back = await dataSource.query(`SELECT missing, changed, inbound, corrected FROM node_drift ORDER BY node_id`);
    expect(back).toEqual([
      { missing: 1, changed: 2, inbound: ['port'], corrected: 5 },
      { missing: 3, changed: 0, inbound: [], corrected: 0 },
      { missing: 1, changed: 0, inbound: [], corrected: 0 },
    ]);
  });

  it('starts the user counts from the users there are, then counts only changes of status or deletion', async () => {
    await migrateDatabase(database.url);
    await dataSource.initialize();
    while ((await tables(dataSource)).includes('user_counts'))
      await dataSource.undoLastMigration({ transaction: 'each' });
    await dataSource.query(
      `INSERT INTO vpn_users (telegram_id, uuid, subscription_token, status)
       SELECT g, gen_random_uuid(), 't' || g, CASE WHEN g % 3 = 0 THEN 'expired' ELSE 'active' END
         FROM generate_series(1, 9) g`,
    );
    await migrateDatabase(database.url);
    const counts = async () =>
      dataSource.query(
        `SELECT status, deleted, sum(n)::int AS n FROM (SELECT status, deleted, n FROM user_counts
          UNION ALL SELECT status, deleted, n FROM user_count_changes) c GROUP BY 1, 2 HAVING sum(n) <> 0 ORDER BY 1, 2`,
      );
    expect(await counts()).toEqual([
      { status: 'active', deleted: false, n: 6 },
      { status: 'expired', deleted: false, n: 3 },
    ]);
    await dataSource.query(`UPDATE vpn_users SET used_bytes = 5`);
    await dataSource.query(`UPDATE vpn_users SET status = 'active' WHERE telegram_id = 3`);
    await dataSource.query(`UPDATE vpn_users SET deleted_at = now(), status = 'deleted' WHERE telegram_id = 1`);
    await dataSource.query(`DELETE FROM vpn_users WHERE telegram_id = 2`);
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM user_count_changes`)).toEqual([{ n: 5 }]);
    expect(await counts()).toEqual([
      { status: 'active', deleted: false, n: 5 },
      { status: 'deleted', deleted: true, n: 1 },
      { status: 'expired', deleted: false, n: 2 },
    ]);
  });

  it('numbers the webhooks waiting at the upgrade per subject, in id order; delivered ones leave the outbox', async () => {
    await migrateDatabase(database.url);
    await dataSource.initialize();
    while ((await tables(dataSource)).includes('outbox_subjects')) {
      await dataSource.undoLastMigration({ transaction: 'each' });
    }
    await dataSource.query(
      `INSERT INTO outbox (type, payload, delivered_at, next_attempt_at) VALUES
         ('user.disabled', '{"userId": 7}', now(), now()),
         ('user.enabled', '{"userId": 7}', NULL, now() + interval '1 minute'),
         ('node.down', '{"nodeId": 3}', NULL, now()),
         ('user.deleted', '{"userId": 7, "nodeId": 3}', NULL, now() + interval '1 hour'),
         ('failover.completed', '{}', NULL, now())`,
    );
    await migrateDatabase(database.url);
    expect(await dataSource.query(`SELECT type, subject, sequence::int FROM outbox ORDER BY id`)).toEqual([
      { type: 'user.enabled', subject: 'user:7', sequence: 1 },
      { type: 'node.down', subject: 'node:3', sequence: 1 },
      { type: 'user.deleted', subject: 'user:7', sequence: 2 },
      { type: 'failover.completed', subject: 'fleet', sequence: 1 },
    ]);
    expect(
      await dataSource.query(
        `SELECT subject, last_sequence::int, delivered_sequence::int, next_attempt_at > now() AS later
           FROM outbox_subjects ORDER BY subject`,
      ),
    ).toEqual([
      { subject: 'fleet', last_sequence: 1, delivered_sequence: 0, later: false },
      { subject: 'node:3', last_sequence: 1, delivered_sequence: 0, later: false },
      { subject: 'user:7', last_sequence: 2, delivered_sequence: 0, later: true },
    ]);

    while ((await tables(dataSource)).includes('outbox_subjects')) {
      await dataSource.undoLastMigration({ transaction: 'each' });
    }
    expect(
      await dataSource.query(`SELECT type, delivered_at, next_attempt_at > now() AS later FROM outbox ORDER BY id`),
    ).toEqual([
      { type: 'user.enabled', delivered_at: null, later: true },
      { type: 'node.down', delivered_at: null, later: false },
      { type: 'user.deleted', delivered_at: null, later: false },
      { type: 'failover.completed', delivered_at: null, later: false },
    ]);
  });

  it('puts every existing node in the group `default` (new users’ group), and takes groups away again', async () => {
    await migrateDatabase(database.url);
    await dataSource.initialize();
    while ((await tables(dataSource)).includes('node_groups')) {
      await dataSource.undoLastMigration({ transaction: 'each' });
    }
    await dataSource.query(
      `INSERT INTO nodes (name, panel_url, panel_username, panel_password) VALUES
         ('n1', 'https://a.example', 'admin', 'x'), ('n2', 'https://b.example', 'admin', 'x')`,
    );
    await migrateDatabase(database.url);
    expect(
      await dataSource.query(`SELECT name, country_code, sort_order, default_for_new_users FROM node_groups`),
    ).toEqual([{ name: 'default', country_code: null, sort_order: 0, default_for_new_users: true }]);
    expect(
      await dataSource.query(
        `SELECT n.name, g.name AS group FROM nodes n JOIN node_groups g ON g.id = n.group_id ORDER BY n.name`,
      ),
    ).toEqual([
      { name: 'n1', group: 'default' },
      { name: 'n2', group: 'default' },
    ]);
    await expect(dataSource.query(`DELETE FROM node_groups`)).rejects.toThrow(/foreign key/);

    while ((await tables(dataSource)).includes('node_groups')) {
      await dataSource.undoLastMigration({ transaction: 'each' });
    }
    expect(await dataSource.query(`SELECT name FROM nodes ORDER BY name`)).toEqual([{ name: 'n1' }, { name: 'n2' }]);
  });

  it('carries idempotency keys into one namespace with a fingerprint, and back into per-user scopes', async () => {
    await migrateDatabase(database.url);
    await dataSource.initialize();
    const undoUntil = async (done: () => Promise<boolean>) => {
      while (!(await done())) await dataSource.undoLastMigration({ transaction: 'each' });
    };
    const columns = async () =>
      (
        await dataSource.query(
          `SELECT column_name FROM information_schema.columns WHERE table_name = 'idempotency_keys' ORDER BY 1`,
        )
      ).map((row: { column_name: string }) => row.column_name);
    await undoUntil(async () => (await columns()).includes('scope'));
    const [a, b] = await dataSource.query(
      `INSERT INTO vpn_users (telegram_id, uuid, subscription_token)
       VALUES (101, gen_random_uuid(), 't1'), (102, gen_random_uuid(), 't2') RETURNING id`,
    );
    // The same key once for each of two users (keys were per user), another key once.
    await dataSource.query(
      `INSERT INTO idempotency_keys (scope, key, response, created_at) VALUES
         ('extend:user:' || $1::int, 'k1', '{"n": 1}', now() - interval '2 hours'),
         ('extend:user:' || $2::int, 'k1', '{"n": 2}', now() - interval '1 hour'),
         ('extend:user:' || $1::int, 'k2', '{"n": 3}', now())`,
      [a.id, b.id],
    );
    await migrateDatabase(database.url);
    const rows = await dataSource.query(
      `SELECT key, route, principal, body_hash, response FROM idempotency_keys ORDER BY key`,
    );
    // The newest use of a key is kept; it names no caller, so it matches no request (reused: 422, never applied twice).
    expect(rows).toEqual([
      { key: 'k1', route: `extend:user:${b.id}`, principal: null, body_hash: null, response: { n: 2 } },
      { key: 'k2', route: `extend:user:${a.id}`, principal: null, body_hash: null, response: { n: 3 } },
    ]);
    await dataSource.query(
      `INSERT INTO idempotency_keys (key, route, principal, body_hash, response) VALUES
         ('k3', 'POST /api/v1/users/' || $1::int || '/extend', 'admin:1', repeat('a', 64), '{}'),
         ('k4', 'POST /api/v1/keys/102/extend', 'token:1', repeat('b', 64), '{}'),
         ('k5', 'POST /api/v1/keys/999/extend', 'token:1', repeat('c', 64), '{}')`,
      [a.id],
    );
    await expect(
      dataSource.query(`INSERT INTO idempotency_keys (key, route) VALUES ('k3', 'POST /api/v1/users/2/extend')`),
    ).rejects.toThrow(/idempotency_keys_pkey/);

    await undoUntil(async () => (await columns()).includes('scope'));
    expect(await dataSource.query(`SELECT scope, key FROM idempotency_keys ORDER BY key`)).toEqual([
      { scope: `extend:user:${b.id}`, key: 'k1' },
      { scope: `extend:user:${a.id}`, key: 'k2' },
      { scope: `extend:user:${a.id}`, key: 'k3' },
      { scope: `extend:user:${b.id}`, key: 'k4' },
    ]);
  });

  it('applies each migration once when several instances start together', async () => {
    const results = await Promise.all(Array.from({ length: 4 }, () => migrateDatabase(database.url)));
    expect(results.flat()).toHaveLength(MIGRATIONS.length);
    await dataSource.initialize();
    const [{ n }] = await dataSource.query('SELECT count(*)::int AS n FROM schema_migrations');
    expect(n).toBe(MIGRATIONS.length);
  });

  it('gives every existing user a plan of the groups they hold seats in (else new users’ groups); nothing moves', async () => {
    await migrateDatabase(database.url);
    await dataSource.initialize();
    const hasPlans = async () =>
      (
        await dataSource.query(
          `SELECT 1 FROM information_schema.columns WHERE table_name = 'vpn_users' AND column_name = 'plan_groups'`,
        )
      ).length > 0;
    while (await hasPlans()) await dataSource.undoLastMigration({ transaction: 'each' });
    const [germany] = await dataSource.query(
      `INSERT INTO node_groups (name, sort_order) VALUES ('Germany', 5) RETURNING id`,
    );
    const [node] = await dataSource.query(
      `INSERT INTO nodes (name, panel_url, panel_username, panel_password, group_id)
       VALUES ('de1', 'http://p', 'u', 'x', $1) RETURNING id`,
      [germany.id],
    );
    const [placed, fresh] = await dataSource.query(
      `INSERT INTO vpn_users (telegram_id, uuid, subscription_token)
       VALUES (1, gen_random_uuid(), 't1'), (2, gen_random_uuid(), 't2') RETURNING id`,
    );
    await dataSource.query(
      `INSERT INTO assignments (user_id, node_id, inbound_id, client_email, state) VALUES ($1, $2, 1, 'e', 'active')`,
      [placed.id, node.id],
    );
    await migrateDatabase(database.url);
    const [{ id: defaultGroup }] = await dataSource.query(`SELECT id FROM node_groups WHERE name = 'default'`);
    expect(await dataSource.query(`SELECT id, plan_groups FROM vpn_users ORDER BY id`)).toEqual([
      { id: placed.id, plan_groups: [germany.id] },
      { id: fresh.id, plan_groups: [defaultGroup] },
    ]);
    expect(await dataSource.query(`SELECT user_id, node_id, group_id, state FROM assignments`)).toEqual([
      { user_id: placed.id, node_id: node.id, group_id: germany.id, state: 'active' },
    ]);
    const [created] = await dataSource.query(
      `INSERT INTO vpn_users (telegram_id, uuid, subscription_token) VALUES (3, gen_random_uuid(), 't3') RETURNING plan_groups`,
    );
    expect(created.plan_groups).toEqual([defaultGroup]);

    while (await hasPlans()) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await dataSource.query(`SELECT user_id, state FROM assignments`)).toEqual([
      { user_id: placed.id, state: 'active' },
    ]);
    await migrateDatabase(database.url);
    expect(await hasPlans()).toBe(true);
  });

  it('allows one active and one pending seat per user and group, never two live seats on one node', async () => {
    await migrateDatabase(database.url);
    await dataSource.initialize();
    const [germany] = await dataSource.query(`INSERT INTO node_groups (name) VALUES ('Germany') RETURNING id`);
    const [node, other, german] = await dataSource.query(
      `INSERT INTO nodes (name, panel_url, panel_username, panel_password, group_id)
       VALUES ('n1', 'http://p', 'u', 'x', DEFAULT), ('n2', 'http://p', 'u', 'x', DEFAULT),
              ('de1', 'http://p', 'u', 'x', $1)
       RETURNING id, group_id`,
      [germany.id],
    );
    const [user] = await dataSource.query(
      `INSERT INTO vpn_users (telegram_id, uuid, subscription_token) VALUES (1, gen_random_uuid(), 't1') RETURNING id`,
    );
    const assign = (state: string, on: { id: number; group_id: number } = node) =>
      dataSource.query(
        `INSERT INTO assignments (user_id, node_id, group_id, inbound_id, client_email, state, released_at)
         VALUES ($1, $2, $3, 1, 'e', $4::varchar, CASE WHEN $4::varchar = 'released' THEN now() END)`,
        [user.id, on.id, on.group_id, state],
      );
    await assign('released');
    await assign('released'); // the seed's UNIQUE(user_id, node_id, is_active) would refuse this
    await assign('active');
    await expect(assign('active', other)).rejects.toThrow(/assignments_one_active_per_seat/);
    await expect(assign('pending')).rejects.toThrow(/assignments_one_live_per_node/);
    await assign('pending', other); // a move in flight
    await expect(assign('pending', other)).rejects.toThrow(/assignments_one_pending_per_seat|one_live_per_node/);
    await assign('active', german); // a seat in another group
    await expect(
      dataSource.query(
        `INSERT INTO assignments (user_id, node_id, group_id, inbound_id, client_email, state)
         VALUES ($1, $2, $3, 1, 'e', 'released')`,
        [user.id, node.id, node.group_id],
      ),
    ).rejects.toThrow(/assignments_released_at/);
  });

  it('rejects values the API would never write', async () => {
    await migrateDatabase(database.url);
    await dataSource.initialize();
    const insert = (column: string, value: unknown) =>
      dataSource.query(
        `INSERT INTO nodes (name, panel_url, panel_username, panel_password, ${column}) VALUES ($1, 'http://p', 'u', 'x', $2)`,
        [`n-${column}-${String(value)}`, value],
      );
    await expect(insert('weight', 0)).rejects.toThrow(/check/i);
    await expect(insert('max_users', 0)).rejects.toThrow(/check/i);
    await expect(insert('status', 'broken')).rejects.toThrow(/check/i);
    await expect(insert('current_users', -1)).rejects.toThrow(/check/i);
  });
});
