import { MigrationInterface, QueryRunner } from 'typeorm';

/** (being written) */
export class NodeServerFigures1764920000000 implements MigrationInterface {
  name = 'NodeServerFigures1764920000000';

  async up(_db: QueryRunner): Promise<void> {
    // nothing yet
  }

  async down(_db: QueryRunner): Promise<void> {
    // nothing yet
  }
}
