import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '../auth/roles.decorator';

/** Probes for orchestrators; no credentials, no details beyond up or down. */
@ApiTags('operations')
@Public()
@Controller()
export class OpsController {
  constructor(private readonly dataSource: DataSource) {}

  @Get('healthz')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the process is alive' })
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @ApiOkResponse({ description: 'the database answers' })
  @ApiServiceUnavailableResponse({ description: 'the database does not answer' })
  async readyz(): Promise<{ status: 'ready' }> {
    try {
      await this.dataSource.query('SELECT 1');
      return { status: 'ready' };
    } catch {
      throw new ServiceUnavailableException('database unreachable');
    }
  }
}
