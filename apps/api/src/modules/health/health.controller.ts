import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { Requires } from '../../common/http/roles.decorator';
import { NodesService } from '../nodes/nodes.service';
import { CheckOutcomeDto, HealthCheckDto, HealthHistoryQueryDto, NodeCheckOutcomeDto } from './health.dto';
import { HealthHistoryService } from './health-history.service';
import { HealthSweepService } from './health-sweep.service';
import { CheckOutcome, NodeCheckService } from './node-check.service';
import { IdParam } from '../../common/http/id-param';

@ApiTags('health')
@ApiBearerAuth()
@Controller('nodes')
export class HealthController {
  constructor(
    private readonly checks: NodeCheckService,
    private readonly sweeps: HealthSweepService,
    private readonly checksHistory: HealthHistoryService,
    private readonly nodes: NodesService,
  ) {}

  @Post('check-health')
  @Requires('nodes:write')
  @HttpCode(200)
  @ApiOkResponse({ type: [NodeCheckOutcomeDto] })
  checkAll(): Promise<Array<CheckOutcome & { nodeId: number }>> {
    return this.sweeps.checkAll();
  }

  @Post(':id/check-health')
  @Requires('nodes:write')
  @HttpCode(200)
  @ApiOkResponse({ type: CheckOutcomeDto })
  async checkOne(@IdParam() id: number): Promise<CheckOutcome> {
    const outcome = await this.checks.checkById(id);
    if (!outcome) throw new DomainError(ErrorCode.NodeNotFound, `node ${id} not found`);
    return outcome;
  }

  @Get(':id/health')
  @Requires('nodes:read')
  @ApiOkResponse({ type: [HealthCheckDto] })
  async history(@IdParam() id: number, @Query() query: HealthHistoryQueryDto) {
    if (!(await this.nodes.findById(id))) throw new DomainError(ErrorCode.NodeNotFound, `node ${id} not found`);
    return this.checksHistory.history(id, query.since ?? null, query.limit);
  }
}
