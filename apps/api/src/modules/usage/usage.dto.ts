import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
import { USAGE_GRANULARITIES, UsageGranularity } from '@fleet/contract';
import { QueryInt } from '../../common/http/validation';

export class UsageQueryDto {
  @ApiPropertyOptional({ description: 'ISO 8601 instant; default: 24 h (hour) or 30 days (day) before `to`' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO 8601 instant; default: now' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  to?: string;

  @ApiPropertyOptional({ enum: USAGE_GRANULARITIES, default: 'hour' })
  @IsOptional()
  @IsIn(USAGE_GRANULARITIES, { message: 'granularity must be hour or day' })
  granularity?: UsageGranularity;
}

export class TopUsersQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 168, default: 24 })
  @IsOptional()
  @QueryInt()
  @IsInt({ message: 'hours must be an integer' })
  @Min(1)
  @Max(168)
  hours?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 10 })
  @IsOptional()
  @QueryInt()
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(100)
  limit?: number;
}
