import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Devices seen by the subscription route (`x-hwid` and what the app says of itself): one row per user and hardware id,
 * first and last seen; a user's devices in last-seen order (the oldest unused one leaves first past 100).
 */
export class UserDevices1764890000000 implements MigrationInterface {
  name = 'UserDevices1764890000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE user_devices (
        id bigserial PRIMARY KEY,
        user_id integer NOT NULL REFERENCES vpn_users (id) ON DELETE CASCADE,
        hwid varchar(128) NOT NULL,
        os varchar(64),
        os_version varchar(64),
        model varchar(128),
        user_agent varchar(256),
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT user_devices_one_per_hwid UNIQUE (user_id, hwid)
      )`);
    await db.query(`CREATE INDEX user_devices_by_last_seen ON user_devices (user_id, last_seen_at, id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE user_devices`);
  }
}
