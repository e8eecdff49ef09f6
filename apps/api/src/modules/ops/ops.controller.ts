import { Controller, Get, HttpCode } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { Public } from '../../common/http/roles.decorator';
import { OpsRepository } from './ops.repository';
import { ApiErrors } from '../../common/http/openapi';

const probeSchema = (status: string) => ({
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', enum: [status] } },
});

/** Probes for orchestrators; no credentials, no details beyond up or down. */
@ApiTags('operations')
@Public()
@Controller()
export class OpsController {
  constructor(private readonly database: OpsRepository) {}

  @Get('healthz')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the process is alive', schema: probeSchema('ok') })
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @ApiOkResponse({ description: 'the database answers', schema: probeSchema('ready') })
  @ApiErrors(ErrorCode.Unavailable)
  async readyz(): Promise<{ status: 'ready' }> {
    try {
      await this.database.ping();
      return { status: 'ready' };
    } catch {
      throw new DomainError(ErrorCode.Unavailable, 'database unreachable');
    }
  }
}
