import { MigrationInterface, QueryRunner } from 'typeorm';

/** Node groups: every node belongs to exactly one; existing nodes start in `default`, the group new users get. */
export class NodeGroups1764850000000 implements MigrationInterface {
  name = 'NodeGroups1764850000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE node_groups (
        id serial PRIMARY KEY,
        name varchar(64) NOT NULL,
        country_code char(2) CHECK (country_code ~ '^[A-Z]{2}$'),
        sort_order integer NOT NULL DEFAULT 0 CHECK (sort_order BETWEEN 0 AND 1000000),
        default_for_new_users boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX node_groups_name ON node_groups (lower(name))`);
    await db.query(`INSERT INTO node_groups (name, default_for_new_users) VALUES ('default', true)`);
    // Where a node created without a group goes: the first group in order (null when there is none).
    await db.query(`
      CREATE FUNCTION first_node_group() RETURNS integer LANGUAGE sql STABLE
        AS 'SELECT id FROM node_groups ORDER BY sort_order, id LIMIT 1'`);
    await db.query(`ALTER TABLE nodes ADD COLUMN group_id integer REFERENCES node_groups (id) ON DELETE RESTRICT`);
    await db.query(`UPDATE nodes SET group_id = (SELECT id FROM node_groups WHERE name = 'default')`);
    await db.query(`ALTER TABLE nodes ALTER COLUMN group_id SET NOT NULL`);
    await db.query(`ALTER TABLE nodes ALTER COLUMN group_id SET DEFAULT first_node_group()`);
    await db.query(`CREATE INDEX nodes_group ON nodes (group_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE nodes DROP COLUMN group_id`);
    await db.query(`DROP FUNCTION first_node_group()`);
    await db.query(`DROP TABLE node_groups`);
  }
}
