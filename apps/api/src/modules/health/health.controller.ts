import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ErrorCode } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { AllowRoles } from '../../common/http/roles.decorator';
import { NodesService } from '../nodes/nodes.service';
import { HealthHistoryService } from './health-history.service';
import { HealthSweepService } from './health-sweep.service';
import { CheckOutcome, NodeCheckService } from './node-check.service';
import { IdParam } from '../../common/http/id-param';
import { DateInput } from '../../common/http/date-input';
import { QueryInt } from '../../common/http/validation';

export class HealthHistoryQueryDto {
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'RFC 3339 date-time; default: the last `limit` checks',
  })
  @IsOptional()
  @DateInput()
  since?: Date;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 200 })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 200;
}

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
  @HttpCode(200)
  checkAll(): Promise<Array<CheckOutcome & { nodeId: number }>> {
    return this.sweeps.checkAll();
  }

  @Post(':id/check-health')
  @HttpCode(200)
  async checkOne(@IdParam() id: number): Promise<CheckOutcome> {
    const outcome = await this.checks.checkById(id);
    if (!outcome) throw new DomainError(ErrorCode.NodeNotFound, `node ${id} not found`);
    return outcome;
  }

  @Get(':id/health')
  @AllowRoles('admin', 'viewer')
  async history(@IdParam() id: number, @Query() query: HealthHistoryQueryDto) {
    if (!(await this.nodes.findById(id))) throw new DomainError(ErrorCode.NodeNotFound, `node ${id} not found`);
    return this.checksHistory.history(id, query.since ?? null, query.limit);
  }
}
