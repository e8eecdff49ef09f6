import { MigrationInterface, QueryRunner } from 'typeorm';

/** The last reconcile of a node also tells what differed on its inbound (gone, disabled, port or stream changed). */
export class InboundDrift1764500000000 implements MigrationInterface {
  name = 'InboundDrift1764500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE node_drift ADD COLUMN inbound jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE node_drift DROP COLUMN inbound`);
  }
}
