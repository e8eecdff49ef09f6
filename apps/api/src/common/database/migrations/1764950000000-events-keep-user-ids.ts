import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events keep their user's id without a foreign key: users are only ever marked deleted, so its ON DELETE SET NULL
 * could not fire, and its check ran once per event — in a failover, one per moved user inside the switch.
 */
export class EventsKeepUserIds1764950000000 implements MigrationInterface {
  name = 'EventsKeepUserIds1764950000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE events DROP CONSTRAINT events_user_id_fkey`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(
      `UPDATE events e SET user_id = NULL
        WHERE user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM vpn_users u WHERE u.id = e.user_id)`,
    );
    await db.query(
      `ALTER TABLE events ADD CONSTRAINT events_user_id_fkey FOREIGN KEY (user_id) REFERENCES vpn_users (id) ON DELETE SET NULL`,
    );
  }
}
