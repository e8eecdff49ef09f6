import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import {
  NodeUsageView,
  TopUserView,
  Traffic,
  USAGE_GRANULARITIES,
  UsageBucketView,
  UsageGranularity,
  UserUsageView,
} from '@fleet/contract';
import { CalendarDay, DateInput } from '../../common/http/date-input';
import { QueryInt } from '../../common/http/validation';
import type { UsagePassResult } from './usage-pass.service';

export class UsageQueryDto {
  @ApiPropertyOptional({
    type: String,
    description:
      'RFC 3339 date-time, or a date (YYYY-MM-DD: the start of that day in ACCESS_TIMEZONE); default: 24 h (hour) ' +
      'or 30 days (day) before `to`',
  })
  @IsOptional()
  @DateInput({ calendarDay: true })
  from?: Date | CalendarDay;

  @ApiPropertyOptional({
    type: String,
    description: 'RFC 3339 date-time, or a date (YYYY-MM-DD: the start of that day in ACCESS_TIMEZONE); default: now',
  })
  @IsOptional()
  @DateInput({ calendarDay: true })
  to?: Date | CalendarDay;

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

export class TrafficDto implements Traffic {
  @ApiProperty({ description: 'bytes' }) up: number;
  @ApiProperty({ description: 'bytes' }) down: number;
}

export class UsageBucketDto extends TrafficDto implements UsageBucketView {
  @ApiProperty({ format: 'date-time' }) start: string;
  @ApiProperty() nodeId: number;
}

export class UsagePeriodDto extends TrafficDto {
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) start: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) end: string | null;
}

export class UserUsageDto implements UserUsageView {
  @ApiProperty({ type: TrafficDto, description: 'over the buckets asked for' }) total: TrafficDto;
  @ApiProperty({ type: UsagePeriodDto, description: 'the current traffic period, as counted against the quota' })
  period: UsagePeriodDto;
  @ApiProperty({ type: [UsageBucketDto] }) buckets: UsageBucketDto[];
}

export class NodeUsageDto implements NodeUsageView {
  @ApiProperty({ type: TrafficDto }) total: TrafficDto;
  @ApiProperty({ type: [UsageBucketDto] }) buckets: UsageBucketDto[];
}

export class TopUserDto extends TrafficDto implements TopUserView {
  @ApiProperty() userId: number;
  @ApiProperty({ type: Number, nullable: true }) telegramId: number | null;
  @ApiProperty({ type: String, nullable: true }) username: string | null;
}

export class UsagePassDto implements UsagePassResult {
  @ApiProperty({ description: 'false: another replica was running a pass' }) ran: boolean;
  @ApiProperty() nodes: number;
  @ApiProperty({ description: 'nodes whose panel did not answer (caught up on a later pass)' }) skipped: number;
  @ApiProperty({ description: 'bytes booked' }) up: number;
  @ApiProperty({ description: 'bytes booked' }) down: number;
  @ApiProperty({ description: 'counters written' }) rows: number;
  @ApiProperty({ description: 'users whose usage grew' }) users: number;
  @ApiProperty({ description: 'users who reached their limit' }) limited: number;
  @ApiProperty() ms: number;
}
