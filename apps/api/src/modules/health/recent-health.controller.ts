import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ErrorCode, RECENT_HEALTH_PER_NODE_UP_TO, RecentHealth } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { DateInput } from '../../common/http/date-input';
import { QueryInt } from '../../common/http/validation';
import { Requires } from '../../common/http/roles.decorator';
import { FleetHealthStepDto, RecentHealthDto } from './health.dto';
import { HealthRepository } from './health.repository';
import { alignedStart, MAX_STEPS, recentHealth } from './recent-health';

const DEFAULT_STEPS = 30;

export class RecentHealthQueryDto {
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: `RFC 3339 date-time; default: ${DEFAULT_STEPS} steps ago`,
  })
  @IsOptional()
  @DateInput()
  since?: Date;

  @ApiPropertyOptional({ type: 'integer', minimum: 5, maximum: 3600, default: 30 })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(5)
  @Max(3600)
  stepSeconds = 30;
}

@ApiTags('health')
@ApiBearerAuth()
@ApiExtraModels(FleetHealthStepDto)
@Controller('health')
export class RecentHealthController {
  constructor(private readonly health: HealthRepository) {}

  /** The dashboard's response-time chart: the fleet's sweeps per step, and each node's for small fleets. */
  @Get('recent')
  @Requires('nodes:read')
  @ApiOkResponse({ type: RecentHealthDto })
  async recent(@Query() query: RecentHealthQueryDto): Promise<RecentHealth> {
    const stepMs = query.stepSeconds * 1000;
    const now = Date.now();
    const since = query.since ? query.since.getTime() : now - DEFAULT_STEPS * stepMs;
    if (since > now || now - since > MAX_STEPS * stepMs) {
      throw new DomainError(ErrorCode.ValidationFailed, [
        `since must be in the past and at most ${MAX_STEPS} steps (of stepSeconds) ago`,
      ]);
    }
    const from = alignedStart(since, stepMs);
    const [sweeps, perNode] = await Promise.all([
      this.health.recentSweeps(from, stepMs),
      this.health.recentPerNode(from, stepMs, RECENT_HEALTH_PER_NODE_UP_TO),
    ]);
    return recentHealth({ from, stepMs, now }, sweeps, perNode);
  }
}
