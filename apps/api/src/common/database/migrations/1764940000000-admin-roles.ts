import { MigrationInterface, QueryRunner } from 'typeorm';

/** (being written) */
export class AdminRoles1764940000000 implements MigrationInterface {
  name = 'AdminRoles1764940000000';

  async up(_db: QueryRunner): Promise<void> {
    // nothing yet
  }

  async down(_db: QueryRunner): Promise<void> {
    // nothing yet
  }
}
