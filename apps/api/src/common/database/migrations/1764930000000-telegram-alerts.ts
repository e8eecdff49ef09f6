import { MigrationInterface, QueryRunner } from 'typeorm';

/** (being written) */
export class TelegramAlerts1764930000000 implements MigrationInterface {
  name = 'TelegramAlerts1764930000000';

  async up(_db: QueryRunner): Promise<void> {
    // nothing yet
  }

  async down(_db: QueryRunner): Promise<void> {
    // nothing yet
  }
}
