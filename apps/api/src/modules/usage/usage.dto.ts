import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { USAGE_GRANULARITIES, UsageGranularity } from '@fleet/contract';
import { CalendarDay, DateInput } from '../../common/http/date-input';
import { QueryInt } from '../../common/http/validation';

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
