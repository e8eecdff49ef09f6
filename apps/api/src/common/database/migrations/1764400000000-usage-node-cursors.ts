import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usage cursors move from one row per client to one row per node (a JSON object by client email, see
 * `node-counters.ts`): a usage pass then writes one row per node instead of one per client, and bytes of users
 * without a traffic limit wait there (`pending_since`) until they are settled into their hourly rows and totals.
 */
export class UsageNodeCursors1764400000000 implements MigrationInterface {
  name = 'UsageNodeCursors1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE usage_node_cursors (
        node_id       integer     PRIMARY KEY REFERENCES nodes (id) ON DELETE CASCADE,
        clients       json        NOT NULL DEFAULT '{}',
        pending_since timestamptz
      )`);
    await db.query(`
      INSERT INTO usage_node_cursors (node_id, clients)
      SELECT c.node_id,
             json_object_agg(c.client_email, json_build_array(
               c.user_id, c.traffic_id, c.up, c.down, c.all_time,
               floor(extract(epoch FROM c.updated_at) * 1000)::bigint,
               CASE WHEN u.traffic_limit_bytes > 0 THEN 1 ELSE 0 END, 0, 0))
        FROM usage_cursors c LEFT JOIN vpn_users u ON u.id = c.user_id
       GROUP BY c.node_id`);
    await db.query(`DROP TABLE usage_cursors`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE usage_cursors (
        node_id      integer      NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
        client_email varchar(255) NOT NULL,
        user_id      integer      REFERENCES vpn_users (id) ON DELETE SET NULL,
        traffic_id   bigint,
        up           bigint       NOT NULL DEFAULT 0,
        down         bigint       NOT NULL DEFAULT 0,
        all_time     bigint,
        updated_at   timestamptz  NOT NULL DEFAULT now(),
        PRIMARY KEY (node_id, client_email)
      ) WITH (fillfactor = 50)`);
    // Bytes still waiting to be settled are lost with the rows that held them.
    await db.query(`
      INSERT INTO usage_cursors (node_id, client_email, user_id, traffic_id, up, down, all_time, updated_at)
      SELECT n.node_id, e.key, (e.value->>0)::int, (e.value->>1)::bigint, (e.value->>2)::bigint,
             (e.value->>3)::bigint, (e.value->>4)::bigint, to_timestamp((e.value->>5)::float8 / 1000)
        FROM usage_node_cursors n, json_each(n.clients) e`);
    await db.query(`DROP TABLE usage_node_cursors`);
  }
}
