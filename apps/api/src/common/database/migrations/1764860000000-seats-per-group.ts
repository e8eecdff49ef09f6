import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A user's plan names the groups they hold a seat in, and holds one seat (active assignment) per group: the unique
 * indexes move from the user to the (user, group) pair. Existing users keep what they have: a plan of the groups of
 * their seats, or the groups marked for new users when they have none. Nothing moves. A seat that cannot be placed
 * yet waits in `seat_waits`, retried as capacity returns.
 */
export class SeatsPerGroup1764860000000 implements MigrationInterface {
  name = 'SeatsPerGroup1764860000000';

  async up(db: QueryRunner): Promise<void> {
    // A new user's plan: the groups marked for new users, else the first group in order.
    await db.query(`
      CREATE FUNCTION default_plan_groups() RETURNS integer[] LANGUAGE sql STABLE AS $$
        SELECT coalesce(
          (SELECT array_agg(id ORDER BY sort_order, id) FROM node_groups WHERE default_for_new_users),
          (SELECT array[id] FROM node_groups ORDER BY sort_order, id LIMIT 1),
          '{}')
      $$`);
    await db.query(`
      ALTER TABLE vpn_users ADD COLUMN plan_groups integer[] NOT NULL DEFAULT '{}'
        CHECK (cardinality(plan_groups) <= 200)`);
    await db.query(`ALTER TABLE assignments ADD COLUMN group_id integer`);
    await db.query(`UPDATE assignments a SET group_id = n.group_id FROM nodes n WHERE n.id = a.node_id`);
    // Released history of nodes deleted since: the group they were in is unknown.
    await db.query(`UPDATE assignments SET group_id = 0 WHERE group_id IS NULL`);
    await db.query(`ALTER TABLE assignments ALTER COLUMN group_id SET NOT NULL`);
    await db.query(`
      UPDATE vpn_users u SET plan_groups = seats.groups
        FROM (SELECT user_id, array_agg(DISTINCT group_id) AS groups FROM assignments
               WHERE state <> 'released' GROUP BY user_id) seats
       WHERE seats.user_id = u.id`);
    await db.query(`UPDATE vpn_users SET plan_groups = default_plan_groups() WHERE plan_groups = '{}'`);
    await db.query(`ALTER TABLE vpn_users ALTER COLUMN plan_groups SET DEFAULT default_plan_groups()`);
    await db.query(`CREATE INDEX vpn_users_plan_groups ON vpn_users USING gin (plan_groups)`);

    await db.query(`DROP INDEX assignments_one_active_per_user`);
    await db.query(`DROP INDEX assignments_one_pending_per_user`);
    await db.query(
      `CREATE UNIQUE INDEX assignments_one_active_per_seat ON assignments (user_id, group_id) WHERE state = 'active'`,
    );
    await db.query(
      `CREATE UNIQUE INDEX assignments_one_pending_per_seat ON assignments (user_id, group_id) WHERE state = 'pending'`,
    );
    await db.query(
      `CREATE UNIQUE INDEX assignments_one_live_per_node ON assignments (user_id, node_id) WHERE state <> 'released'`,
    );
    await db.query(`CREATE INDEX assignments_live_by_group ON assignments (group_id) WHERE state <> 'released'`);
    await db.query(`
      CREATE TABLE seat_waits (
        user_id integer NOT NULL REFERENCES vpn_users (id) ON DELETE CASCADE,
        group_id integer NOT NULL REFERENCES node_groups (id) ON DELETE CASCADE,
        since timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts BETWEEN 0 AND 1000000),
        next_try_at timestamptz NOT NULL DEFAULT now(),
        last_error varchar(500),
        PRIMARY KEY (user_id, group_id)
      )`);
    await db.query(`CREATE INDEX seat_waits_due ON seat_waits (next_try_at)`);
    // A node moved to another group: the seats of the old one move to its nodes.
    await db.query(`ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check`);
    await db.query(
      `ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check
         CHECK (kind IN ('rebalance', 'failover', 'node-delete', 'drain', 'regroup'))`,
    );
    await db.query(`CREATE INDEX seat_waits_group ON seat_waits (group_id)`);
  }

  /** Back to one seat per user: every seat but each user's first (by group order) is released first. */
  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE seat_waits`);
    await db.query(`DELETE FROM jobs WHERE kind = 'regroup'`);
    await db.query(`ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check`);
    await db.query(
      `ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check CHECK (kind IN ('rebalance', 'failover', 'node-delete', 'drain'))`,
    );
    await db.query(`
      UPDATE assignments SET state = 'released', released_at = now()
       WHERE state = 'active' AND id NOT IN (
         SELECT DISTINCT ON (a.user_id) a.id FROM assignments a LEFT JOIN node_groups g ON g.id = a.group_id
          WHERE a.state = 'active' ORDER BY a.user_id, g.sort_order, a.group_id)`);
    await db.query(`DELETE FROM assignments WHERE state = 'pending'`);
    await db.query(`UPDATE nodes n SET current_users = (
      SELECT count(*) FROM assignments a WHERE a.node_id = n.id AND a.state = 'active')`);
    await db.query(`DROP INDEX assignments_live_by_group`);
    await db.query(`DROP INDEX assignments_one_live_per_node`);
    await db.query(`DROP INDEX assignments_one_pending_per_seat`);
    await db.query(`DROP INDEX assignments_one_active_per_seat`);
    await db.query(
      `CREATE UNIQUE INDEX assignments_one_active_per_user ON assignments (user_id) WHERE state = 'active'`,
    );
    await db.query(
      `CREATE UNIQUE INDEX assignments_one_pending_per_user ON assignments (user_id) WHERE state = 'pending'`,
    );
    await db.query(`ALTER TABLE assignments DROP COLUMN group_id`);
    await db.query(`ALTER TABLE vpn_users DROP COLUMN plan_groups`);
    await db.query(`DROP FUNCTION default_plan_groups()`);
  }
}
