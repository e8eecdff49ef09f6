import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsString, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { TRAFFIC_RESETS } from '@fleet/contract';
import { DateInput } from '../../common/http/date-input';
import type { AccessPatch, TrafficReset } from '@fleet/contract';

/** Present and not null: the field must then pass its rules; null is allowed where it means "none". */
const unlessNull = () => ValidateIf((_, value) => value !== undefined && value !== null);
const unlessAbsent = () => ValidateIf((_, value) => value !== undefined);

/** `PATCH …/access`: any subset; nullable fields take null to clear (`expiresAt` arrives parsed to a Date). */
export class AccessPatchDto implements Omit<AccessPatch, 'expiresAt'> {
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2027-01-01T00:00:00Z',
    description: 'RFC 3339 date-time in the years 2000–9999; null = never',
  })
  @unlessNull()
  @DateInput()
  expiresAt?: Date | null;

  @ApiPropertyOptional({ nullable: true, minimum: 1, maximum: 3650, description: 'the plan starts on first traffic' })
  @unlessNull()
  @IsInt()
  @Min(1)
  @Max(3650)
  holdDays?: number | null;

  @ApiPropertyOptional({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: '0 = unlimited' })
  @unlessAbsent()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  trafficLimitBytes?: number;

  @ApiPropertyOptional({ enum: TRAFFIC_RESETS })
  @unlessAbsent()
  @IsIn(TRAFFIC_RESETS)
  trafficReset?: TrafficReset;

  @ApiPropertyOptional({ minimum: 0, maximum: 100, description: "the panel's limitIp; 0 = off" })
  @unlessAbsent()
  @IsInt()
  @Min(0)
  @Max(100)
  deviceLimit?: number;

  @ApiPropertyOptional()
  @unlessAbsent()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ nullable: true, maxLength: 500 })
  @unlessNull()
  @IsString()
  @MaxLength(500)
  note?: string | null;
}

export class ExtendDto {
  @ApiProperty({ minimum: 1, maximum: 3650 })
  @IsInt()
  @Min(1)
  @Max(3650)
  days: number;
}
